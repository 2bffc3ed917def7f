// ActorOptions from the shared config file: each key read from its section, type errors naming the
// key, range checks naming key, value and what is allowed.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "actors/options.h"

using shmrl::actors::ActorOptions;

namespace {
std::string write_temp(const std::string& text) {
  char path[] = "/tmp/shmrl-actor-options-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST_CASE("actor options: every key is read from its section", "[options]") {
  // The shipped config parses and validates (its values are tuned elsewhere, so not pinned here).
  CHECK(ActorOptions::from_toml_file(SHMRL_TEST_DATA_DIR "/../../configs/cartpole.toml").env_id ==
        "CartPole-v1");
  const auto path = write_temp(
      "[run]\nseed = 77\n[env]\nid = \"Acrobot-v1\"\n"
      "[actor]\nenvs_per_actor = 5\nn_step = 4\ngamma = 0.95\nepsilon_base = 0.3\n"
      "epsilon_alpha = 6\nweight_sync_steps = 9\npush_batch = 32\nring_capacity = 1024\n"
      "torch_threads = 2\n"
      "[learner]\nhidden = [32, 16, 8]\ndueling = false\nlr = 0.1\n");
  const auto o = ActorOptions::from_toml_file(path);
  std::remove(path.c_str());
  CHECK(o.seed == 77);
  CHECK(o.env_id == "Acrobot-v1");
  CHECK(o.envs_per_actor == 5);
  CHECK(o.n_step == 4);
  CHECK(o.gamma == Approx(0.95));
  CHECK(o.epsilon_base == Approx(0.3));
  CHECK(o.epsilon_alpha == Approx(6.0));  // an integer literal widens to a float key
  CHECK(o.weight_sync_steps == 9);
  CHECK(o.push_batch == 32);
  CHECK(o.ring_capacity == 1024);
  CHECK(o.torch_threads == 2);
  CHECK(o.hidden == std::vector<int64_t>{32, 16, 8});
  CHECK_FALSE(o.dueling);
}

TEST_CASE("actor options: absent keys take the schema defaults, and there are no others", "[options]") {
  const auto d = ActorOptions::defaults();
  CHECK(d.hidden == std::vector<int64_t>{64, 64});  // the schema's learner.hidden
  CHECK(d.ring_capacity == 4096);
  CHECK(d.env_id == "CartPole-v1");
  CHECK_NOTHROW(d.validate());
  // A struct nobody filled holds no defaults of its own: it is refused, not silently run.
  CHECK_THROWS_AS(ActorOptions{}.validate(), std::invalid_argument);
}

TEST_CASE("actor options: errors name the key, the value and what is allowed", "[options]") {
  const auto bad = [](const std::string& toml) {
    const auto path = write_temp(toml);
    std::string msg;
    try {
      ActorOptions::from_toml_file(path);
    } catch (const std::invalid_argument& e) {
      msg = e.what();
    }
    std::remove(path.c_str());
    return msg;
  };
  CHECK_THAT(bad("[actor]\nn_step = \"three\"\n"),
             Catch::Contains("actor.n_step") && Catch::Contains("an integer"));
  CHECK_THAT(bad("[actor]\nring_capacity = 1000\n"),
             Catch::Contains("actor.ring_capacity = 1000") && Catch::Contains("power of two"));
  CHECK_THAT(bad("[actor]\npush_batch = 100\nring_capacity = 64\n"),
             Catch::Contains("actor.push_batch = 100"));
  CHECK_THAT(bad("[actor]\ngamma = 0\n"), Catch::Contains("actor.gamma = 0"));
  CHECK_THAT(bad("[learner]\nhidden = [64, -1]\n"),
             Catch::Contains("learner.hidden = [64, -1]") && Catch::Contains("element -1"));
  // Keys the schema does not know are refused, each with the closest known key.
  const auto unknown = bad("[actor]\nn_stepz = 3\n[bogus]\nx = 1\n");
  CHECK_THAT(unknown, Catch::Contains("unknown key 'actor.n_stepz'") && Catch::Contains("'actor.n_step'"));
  CHECK_THAT(unknown, Catch::Contains("unknown key 'bogus.x'"));
  CHECK_THAT(bad("[actor\n"), Catch::Contains(":1:"));  // parse errors carry line and column
  CHECK_THAT(bad("[actor]\nenvs_per_actor = 0\n"), Catch::Contains("actor.envs_per_actor = 0"));
  ActorOptions o = ActorOptions::defaults();
  o.actor_id = 2;
  o.num_actors = 2;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("--actor-id = 2"));
}
