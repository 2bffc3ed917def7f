// Configuration: schema defaults, TOML files, --set overrides, and the errors for every kind of bad
// value (each names the key, the value and what is allowed).
#include "launch/config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "actors/envs/registry.h"
#include "actors/options.h"
#include "common/config_schema.h"
#include "launch/validate_components.h"
#include "learner/options.h"
#include "replay/options.h"

using shmrl::launch::Config;
using shmrl::launch::ConfigError;
namespace fs = std::filesystem;

namespace {
const std::string kDefaultConfig = std::string(SHMRL_SOURCE_DIR) + "/configs/cartpole.toml";

// The error message of `f`, or "" when it does not throw ConfigError.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string set_error(const std::string& assignment) {
  return error_of([&] { Config::defaults().set(assignment); });
}

// A temporary TOML file removed at scope exit.
struct TempToml {
  fs::path path;
  explicit TempToml(const std::string& text)
      : path(fs::temp_directory_path() /
             ("shmrl-config-test-" + std::to_string(getpid()) + "-" + std::to_string(next_id()) + ".toml")) {
    std::ofstream(path) << text;
  }
  ~TempToml() { fs::remove(path); }
  static int next_id() {
    static int n = 0;
    return n++;
  }
};
}  // namespace

TEST_CASE("schema defaults are valid and equal the shipped CartPole config", "[config]") {
  Config d = Config::defaults();
  REQUIRE_NOTHROW(shmrl::launch::validate_components(d));
  Config file = Config::load(kDefaultConfig);
  // --help shows the schema defaults as the defaults of configs/cartpole.toml: they must agree.
  for (const auto& s : shmrl::schema()) {
    INFO(s.key);
    CHECK(file.literal(s.key) == d.literal(s.key));
  }
  CHECK(d.get_string("env.id") == "CartPole-v1");
  CHECK(d.get_int_list("learner.hidden") == std::vector<int64_t>{64, 64});
}

TEST_CASE("overrides (--set) parse TOML literals and bare strings", "[config]") {
  Config c = Config::defaults();
  c.set("run.actors=4");
  c.set("replay.alpha=0.7");
  c.set("run.target_return=200");  // an integer is accepted for a number key
  c.set("learner.dueling=false");
  c.set("learner.hidden=[64, 32, 16]");
  c.set("env.id=LunarLander-v3");    // bare word
  c.set("run.device=\"cpu\"");       // quoted
  c.set("run.run_dir", "/tmp/x y");  // key and value apart (the flags' path)
  CHECK(c.get_int("run.actors") == 4);
  CHECK(c.get_float("replay.alpha") == 0.7);
  CHECK(c.get_float("run.target_return") == 200.0);
  CHECK_FALSE(c.get_bool("learner.dueling"));
  CHECK(c.get_int_list("learner.hidden") == std::vector<int64_t>{64, 32, 16});
  CHECK(c.get_string("env.id") == "LunarLander-v3");
  CHECK(c.get_string("run.device") == "cpu");
  CHECK(c.get_string("run.run_dir") == "/tmp/x y");
}

TEST_CASE("every kind of bad value names the key, the value and what is allowed", "[config]") {
  SECTION("wrong type") {
    auto e = set_error("run.actors=two");
    CHECK_THAT(e, Catch::Contains("run.actors = two") && Catch::Contains("integer in [1, 1024]"));
    e = set_error("run.actors=2.5");
    CHECK_THAT(e, Catch::Contains("run.actors = 2.5") && Catch::Contains("wrong type"));
    e = set_error("learner.dueling=1");
    CHECK_THAT(e, Catch::Contains("learner.dueling = 1") && Catch::Contains("true or false"));
    e = set_error("learner.hidden=[64, 1.5]");
    CHECK_THAT(e, Catch::Contains("learner.hidden") && Catch::Contains("every element must be an integer"));
  }
  SECTION("NaN and infinity") {
    CHECK_THAT(set_error("replay.alpha=nan"),
               Catch::Contains("replay.alpha = nan") && Catch::Contains("not finite"));
    CHECK_THAT(set_error("run.target_return=inf"),
               Catch::Contains("run.target_return = inf") && Catch::Contains("finite number"));
  }
  SECTION("sizes <= 0 and out of range") {
    CHECK_THAT(set_error("actor.envs_per_actor=0"),
               Catch::Contains("actor.envs_per_actor = 0") && Catch::Contains("in [1, 65536]"));
    CHECK_THAT(set_error("learner.batch_size=-3"),
               Catch::Contains("learner.batch_size = -3") && Catch::Contains("[1, "));
    CHECK_THAT(set_error("actor.gamma=0"), Catch::Contains("actor.gamma = 0") && Catch::Contains("(0, 1]"));
    CHECK_THAT(set_error("learner.lr=0.0"),
               Catch::Contains("learner.lr = 0.0") && Catch::Contains("(0, 10]"));
    CHECK_THAT(set_error("learner.hidden=[]"),
               Catch::Contains("learner.hidden = []") && Catch::Contains("empty"));
    CHECK_THAT(set_error("learner.hidden=[64, 0]"), Catch::Contains("element 0"));
  }
  SECTION("ring capacity not a power of two") {
    CHECK_THAT(set_error("actor.ring_capacity=65535"), Catch::Contains("actor.ring_capacity = 65535") &&
                                                           Catch::Contains("not a power of two") &&
                                                           Catch::Contains("a power of two in [2, "));
  }
  SECTION("string outside its choices, empty string") {
    CHECK_THAT(set_error("run.device=tpu"),
               Catch::Contains("run.device = tpu") && Catch::Contains("one of auto|cpu|cuda"));
    CHECK_THAT(set_error("env.id="), Catch::Contains("env.id") && Catch::Contains("non-empty string"));
  }
  SECTION("malformed --set and unknown keys with a suggestion") {
    CHECK_THAT(set_error("run.actors"), Catch::Contains("expected section.key=value"));
    CHECK_THAT(set_error("replay.capacty=5"), Catch::Contains("unknown key 'replay.capacty'") &&
                                                  Catch::Contains("did you mean 'replay.capacity'"));
    CHECK_THAT(set_error("learner.capacity=5"), Catch::Contains("did you mean 'replay.capacity'"));
    CHECK_THAT(set_error("seed=5"), Catch::Contains("did you mean 'run.seed'"));
    auto e = set_error("zzz.qqqqqqqq=1");
    CHECK_THAT(e, Catch::Contains("unknown key 'zzz.qqqqqqqq'"));
    CHECK_THAT(e, !Catch::Contains("did you mean"));
  }
}

TEST_CASE("cross-key rules are checked once, by the component that needs them, all reported", "[config]") {
  using shmrl::launch::validate_components;
  Config c = Config::defaults();
  c.set("actor.ring_capacity=64");
  c.set("actor.push_batch=128");
  c.set("learner.target_update_period=0");
  c.set("learner.tau=0");
  auto e = error_of([&] { validate_components(c); });
  CHECK_THAT(e, Catch::Contains("actor.push_batch = 128") && Catch::Contains("actor.ring_capacity (64)"));
  CHECK_THAT(e, Catch::Contains("learner.tau = 0") && Catch::Contains("target_update_period = 0"));
  c.set("learner.tau=0.005");
  c.set("actor.push_batch=64");
  CHECK_NOTHROW(validate_components(c));
  c.set("replay.capacity=50");
  CHECK_THAT(error_of([&] { validate_components(c); }),
             Catch::Contains("learner.batch_size = 128") && Catch::Contains("replay.capacity (50)"));
  c.set("learner.batch_size=32");
  CHECK_THAT(error_of([&] { validate_components(c); }), Catch::Contains("replay.min_size_to_sample = 2000"));
}

TEST_CASE("every process reads the schema's defaults and refuses keys it does not know", "[config]") {
  // The processes' parsers on an empty file agree with the launcher's resolved defaults.
  TempToml empty("");
  TempToml resolved(Config::defaults().to_toml());
  const auto a0 = shmrl::actors::ActorOptions::from_toml_file(empty.path.string());
  const auto a1 = shmrl::actors::ActorOptions::from_toml_file(resolved.path.string());
  CHECK(a0.hidden == a1.hidden);
  CHECK(a0.ring_capacity == a1.ring_capacity);
  CHECK(a0.gamma == a1.gamma);
  const auto l0 = shmrl::learner::LearnerOptions::from_toml_file(empty.path.string());
  const auto l1 = shmrl::learner::LearnerOptions::from_toml_file(resolved.path.string());
  CHECK(l0.hidden == std::vector<int64_t>{64, 64});
  CHECK(l0.hidden == l1.hidden);
  CHECK(l0.lr == l1.lr);
  CHECK(l0.batch_size == l1.batch_size);
  CHECK(l0.target_update_period == l1.target_update_period);
  const auto r0 = shmrl::replay::parse_replay_options("");
  const auto r1 = shmrl::replay::parse_replay_options(Config::defaults().to_toml());
  CHECK(r0.capacity == r1.capacity);
  CHECK(r0.ring_capacity == r1.ring_capacity);
  CHECK(r0.batch_size == r1.batch_size);
  // An unknown key is refused by each of them, with the closest known key.
  TempToml typo("[learner]\nlearning_rate = 0.1\n");
  CHECK_THROWS_WITH(shmrl::learner::LearnerOptions::from_toml_file(typo.path.string()),
                    Catch::Contains("unknown key 'learner.learning_rate'"));
  CHECK_THROWS_WITH(shmrl::actors::ActorOptions::from_toml_file(typo.path.string()),
                    Catch::Contains("unknown key 'learner.learning_rate'"));
  CHECK_THROWS_WITH(shmrl::replay::parse_replay_options("[replay]\ncapacty = 5\n"),
                    Catch::Contains("unknown key 'replay.capacty'") && Catch::Contains("'replay.capacity'"));
}

TEST_CASE("a config file reports every mistake with its line", "[config]") {
  TempToml f(
      "[run]\n"
      "actors = 0\n"
      "sede = 3\n"
      "[replay]\n"
      "alpha = nan\n"
      "[bogus]\n"
      "x = 1\n");
  auto e = error_of([&] { Config::load(f.path.string()); });
  CHECK_THAT(e, Catch::Contains(":2: run.actors = 0"));
  CHECK_THAT(e, Catch::Contains(":3: unknown key 'run.sede'") && Catch::Contains("'run.seed'"));
  CHECK_THAT(e, Catch::Contains(":5: replay.alpha = nan"));
  CHECK_THAT(e, Catch::Contains(":7: unknown key 'bogus.x'"));

  TempToml syntax("[run]\nactors = = 2\n");
  CHECK_THAT(error_of([&] { Config::load(syntax.path.string()); }), Catch::Contains("line 2"));
  CHECK_THAT(error_of([&] { Config::load("/nonexistent/shmrl.toml"); }),
             Catch::Contains("/nonexistent/shmrl.toml"));
}

TEST_CASE("the resolved TOML loads back to the same config", "[config]") {
  Config c = Config::defaults();
  c.set("env.id=Acrobot-v1");
  c.set("replay.alpha=0.123456789");
  c.set("learner.hidden=[7]");
  c.set("run.run_dir=dir with \"quotes\"");
  TempToml f(c.to_toml());
  Config back = Config::load(f.path.string());
  CHECK(back == c);
  CHECK_THAT(c.to_toml(), Catch::Contains("[learner]") && Catch::Contains("hidden = [7]  # MLP"));
}

TEST_CASE("every shipped config loads and passes every process's validation", "[config]") {
  int n = 0;
  for (const auto& e : fs::directory_iterator(std::string(SHMRL_SOURCE_DIR) + "/configs")) {
    if (e.path().extension() != ".toml") continue;
    INFO(e.path());
    Config c = Config::load(e.path().string());
    const auto ids = shmrl::envs::registered_env_ids();
    if (std::find(ids.begin(), ids.end(), c.get_string("env.id")) == ids.end()) {
      WARN(e.path() << ": " << c.get_string("env.id") << " is not built here (MuJoCo missing?)");
      continue;
    }
    CHECK_NOTHROW(shmrl::launch::validate_components(c));
    ++n;
  }
  CHECK(n >= 2);
}

TEST_CASE("component validation reports the processes' own rules", "[config]") {
  Config c = Config::defaults();
  c.set("replay.error_buffer=1");  // the rate limiter could deadlock with batches of 64
  CHECK_THAT(error_of([&] { shmrl::launch::validate_components(c); }),
             Catch::Contains("replay.error_buffer") && !Catch::Contains("/tmp/shmrl-config-"));
  c = Config::defaults();
  c.set("env.id=NoSuchEnv-v0");
  CHECK_THAT(error_of([&] { shmrl::launch::validate_components(c); }),
             Catch::Contains("env.id = \"NoSuchEnv-v0\"") && Catch::Contains("CartPole-v1"));
}

namespace {
// Vertical velocity (observation[3]) of a LunarLander after 20 no-op steps from seed 3: the lander
// falls faster under stronger gravity, so this shows which gravity the env was built with.
float fall_speed_after_noops(const shmrl::envs::EnvKwargs& kwargs) {
  auto env = shmrl::envs::make_env("LunarLander-v3", kwargs);
  float obs[8];
  env->reset(3, reinterpret_cast<std::byte*>(obs));
  const int32_t noop = 0;
  for (int i = 0; i < 20; ++i) env->step(&noop, reinterpret_cast<std::byte*>(obs));
  return obs[3];
}
}  // namespace

TEST_CASE("env.kwargs from the config reach every process's env", "[config]") {
  TempToml file("[env]\nid = \"LunarLander-v3\"\nkwargs = { gravity = -9.0 }\n");
  Config c = Config::load(file.path.string());
  REQUIRE_NOTHROW(shmrl::launch::validate_components(c));
  // The processes read the resolved config the launcher writes, each through the same [env] reader.
  TempToml resolved(c.to_toml());
  const auto actor = shmrl::actors::ActorOptions::from_toml_file(resolved.path.string());
  const auto learner = shmrl::learner::LearnerOptions::from_toml_file(resolved.path.string());
  const auto replay = shmrl::replay::parse_replay_options(c.to_toml());
  const shmrl::envs::EnvKwargs want{{"gravity", "-9"}};
  CHECK(actor.env_kwargs == want);
  CHECK(learner.env_kwargs == want);
  CHECK(replay.env_kwargs == want);
  // Weaker gravity: the lander falls more slowly than under the default -10.
  const float default_vy = fall_speed_after_noops({});
  const float weak_vy = fall_speed_after_noops(actor.env_kwargs);
  CHECK(default_vy < 0);
  CHECK(weak_vy > default_vy);
}

TEST_CASE("env.kwargs entries can be set one at a time and round-trip", "[config]") {
  Config c = Config::defaults();
  c.set("env.id=LunarLander-v3");
  c.set("env.kwargs.continuous=true");
  c.set("env.kwargs.gravity=-9.5");
  c.set("env.kwargs={ enable_wind = false }");  // the whole table at once replaces it
  c.set("env.kwargs.wind_power=5");
  CHECK(c.get_string_map("env.kwargs") ==
        Config::StringMap{{"enable_wind", "false"}, {"wind_power", "5"}});
  TempToml f(c.to_toml());
  CHECK(Config::load(f.path.string()) == c);
  c.set("env.kwargs.healthy_z_range=[0.5, inf]");  // a range (MuJoCo envs) becomes "[0.5, inf]"
  CHECK(c.get_string_map("env.kwargs").at("healthy_z_range") == "[0.5, inf]");
  CHECK_THAT(set_error("env.kwargs.gravity=[\"a\", 2]"),
             Catch::Contains("env.kwargs.gravity") &&
                 Catch::Contains("a string, number, boolean or array of numbers"));
  CHECK_THAT(set_error("env.kwargs=3"), Catch::Contains("env.kwargs = 3"));
}

TEST_CASE("an unknown env kwarg is refused before anything starts, naming it", "[config]") {
  Config c = Config::defaults();
  c.set("env.id=LunarLander-v3");
  c.set("env.kwargs.gravty=-9");
  CHECK_THAT(error_of([&] { shmrl::launch::validate_components(c); }),
             Catch::Contains("env.kwargs") && Catch::Contains("'gravty'") &&
                 Catch::Contains("gravity"));
  c = Config::defaults();
  c.set("env.kwargs.gravity=-9");  // CartPole takes no kwargs at all
  CHECK_THAT(error_of([&] { shmrl::launch::validate_components(c); }),
             Catch::Contains("CartPole-v1") && Catch::Contains("'gravity'"));
}

TEST_CASE("actor.noise_std reaches the actor options and is range-checked", "[config]") {
  Config c = Config::defaults();
  c.set("actor.noise_std=0.25");
  TempToml resolved(c.to_toml());
  CHECK(shmrl::actors::ActorOptions::from_toml_file(resolved.path.string()).noise_std == 0.25);
  CHECK_THAT(set_error("actor.noise_std=-0.1"), Catch::Contains("actor.noise_std = -0.1"));
  CHECK_THAT(set_error("actor.noise_std=nan"), Catch::Contains("not finite"));
}
