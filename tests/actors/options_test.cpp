// ActorOptions from the shared config file: the shipped defaults, type errors naming the key,
// range checks naming key, value and what is allowed.
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

TEST_CASE("actor options from configs/cartpole.toml", "[options]") {
  const auto o = ActorOptions::from_toml_file(SHMRL_TEST_DATA_DIR "/../../configs/cartpole.toml");
  CHECK(o.env_id == "CartPole-v1");
  CHECK(o.envs_per_actor == 16);
  CHECK(o.n_step == 3);
  CHECK(o.gamma == Approx(0.99));
  CHECK(o.epsilon_base == Approx(0.4));
  CHECK(o.epsilon_alpha == Approx(7.0));
  CHECK(o.weight_sync_steps == 50);
  CHECK(o.push_batch == 64);
  CHECK(o.ring_capacity == 65536);
  CHECK(o.torch_threads == 1);
  CHECK(o.hidden == std::vector<int64_t>{128, 128});
  CHECK(o.dueling);
  CHECK(o.seed == 1);
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
  CHECK_THAT(bad("[learner]\nhidden = [64, -1]\n"), Catch::Contains("learner.hidden[1] = -1"));
  CHECK_THAT(bad("[actor\n"), Catch::Contains(":1:"));  // parse errors carry line and column
  CHECK_THAT(bad("[actor]\nenvs_per_actor = 0\n"), Catch::Contains("actor.envs_per_actor = 0"));
  ActorOptions o;
  o.actor_id = 2;
  o.num_actors = 2;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("--actor-id = 2"));
}
