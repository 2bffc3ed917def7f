// Registry: ids, unknown-id errors, kwargs validation, user registration, TimeLimit wrapping.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

#include "actors/envs/registry.h"

using namespace shmrl;
using namespace shmrl::envs;

namespace {

// A user-defined env registered at runtime through a plain factory: counts steps, never ends.
class Counter final : public Env {
 public:
  explicit Counter(const EnvKwargs& kwargs) {
    KwargReader kw("Counter-v0", kwargs);
    limit_ = static_cast<int>(kw.get_double("limit", 3, 0, 100));
    end_at_ = static_cast<float>(kw.get_double("end_at", 1e9, 0, 1e9));
    kw.finish();
  }
  const Space& observation_space() const override { return obs_; }
  const Space& action_space() const override { return act_; }
  int max_episode_steps() const override { return limit_; }
  void reset(uint64_t seed, std::byte* obs) override { set(static_cast<float>(seed % 7), obs); }
  StepResult step(const void*, std::byte* obs) override {
    set(value_ + 1, obs);
    return {1.0, value_ >= end_at_, false};
  }
  std::vector<double> state() const override { return {value_}; }
  void set_state(std::span<const double> s, std::byte* obs) override { set(float(s[0]), obs); }

 private:
  void set(float v, std::byte* obs) {
    value_ = v;
    std::memcpy(obs, &v, 4);
  }
  float value_ = 0, end_at_ = 0;
  int limit_ = 3;
  Space obs_ = Space::box({1}, {-1e9f}, {1e9f});
  Space act_ = Space::discrete(1);
};

// Static registration, as a user's own .cpp would do it.
EnvRegistrar<> counter_registrar("TestCounter-v0", [](const EnvKwargs& kw) {
  return std::make_unique<Counter>(kw);
});

}  // namespace

TEST_CASE("registry lists the built-ins and the statically registered env") {
  auto ids = registered_env_ids();
  for (const char* id : {"CartPole-v1", "TestCounter-v0"})
    CHECK(std::find(ids.begin(), ids.end(), id) != ids.end());
  CHECK(std::is_sorted(ids.begin(), ids.end()));
}

TEST_CASE("unknown id is an invalid_argument naming the known ids") {
  try {
    make_env("CartPole-v0");
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    std::string msg = e.what();
    CHECK(msg.find("'CartPole-v0'") != std::string::npos);
    CHECK(msg.find("CartPole-v1") != std::string::npos);
  }
}

TEST_CASE("duplicate and empty registrations are rejected") {
  auto f = [](const EnvKwargs& kw) { return std::make_unique<Counter>(kw); };
  CHECK_THROWS_AS(register_env("CartPole-v1", f), std::invalid_argument);
  CHECK_THROWS_AS(register_env("", f), std::invalid_argument);
  CHECK_THROWS_AS(register_env("Null-v0", EnvFactory{}), std::invalid_argument);
}

TEST_CASE("kwargs are validated: unknown keys and bad values name the key") {
  CHECK_NOTHROW(make_env("CartPole-v1", {{"sutton_barto_reward", "true"}}));
  CHECK_THROWS_WITH(make_env("CartPole-v1", {{"continous", "true"}}),
                    Catch::Contains("'continous'") && Catch::Contains("sutton_barto_reward"));
  CHECK_THROWS_WITH(make_env("CartPole-v1", {{"sutton_barto_reward", "yes"}}),
                    Catch::Contains("sutton_barto_reward") && Catch::Contains("'yes'"));
  CHECK_THROWS_WITH(make_env("TestCounter-v0", {{"limit", "1e3"}}), Catch::Contains("limit"));
}

TEST_CASE("a factory-registered env gets the TimeLimit wrapper from make_env") {
  auto env = make_env("TestCounter-v0", {{"limit", "2"}});
  float obs = -1;
  int32_t a = 0;
  env->reset(9, reinterpret_cast<std::byte*>(&obs));
  CHECK(obs == 2.0f);
  auto r1 = env->step(&a, reinterpret_cast<std::byte*>(&obs));
  CHECK_FALSE(r1.truncated);
  auto r2 = env->step(&a, reinterpret_cast<std::byte*>(&obs));
  CHECK(r2.truncated);
  CHECK_FALSE(r2.terminated);
  CHECK(obs == 4.0f);  // the true final observation is kept
  env->reset(0, reinterpret_cast<std::byte*>(&obs));
  CHECK_FALSE(env->step(&a, reinterpret_cast<std::byte*>(&obs)).truncated);
}

TEST_CASE("termination on the time limit's last step sets both flags, as Gymnasium does") {
  // Gymnasium's TimeLimit sets truncated regardless of terminated; consumers let terminated win.
  auto env = make_env("TestCounter-v0", {{"limit", "2"}, {"end_at", "2"}});
  float obs = -1;
  int32_t a = 0;
  env->reset(0, reinterpret_cast<std::byte*>(&obs));
  CHECK_FALSE(env->step(&a, reinterpret_cast<std::byte*>(&obs)).terminated);
  const StepResult r = env->step(&a, reinterpret_cast<std::byte*>(&obs));
  CHECK(r.terminated);
  CHECK(r.truncated);
}

TEST_CASE("CartPole truncates at 500 steps through make_env, never when built directly") {
  auto env = make_env("CartPole-v1");
  REQUIRE(env->max_episode_steps() == 500);
  float obs[4];
  auto* o = reinterpret_cast<std::byte*>(obs);
  env->reset(1, o);
  // Hold the pole upright from a centred state by alternating pushes; it does not fall in 500.
  const double start[4] = {0, 0, 0, 0};
  env->set_state(start, o);
  int steps = 0;
  StepResult r;
  do {
    int32_t a = obs[2] + 0.5f * obs[3] > 0 ? 1 : 0;  // a simple balancing controller
    r = env->step(&a, o);
    ++steps;
  } while (!r.terminated && !r.truncated);
  CHECK(steps == 500);
  CHECK(r.truncated);
  CHECK_FALSE(r.terminated);
}
