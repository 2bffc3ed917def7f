// gym: envs through the embedded Python bridge, in this process: CartPole-v1 through Gymnasium
// follows the built-in CartPole-v1 step for step; unknown ids, missing modules and unsupported
// spaces are refused with what to do; a Python exception ends the actor's step with nothing of it
// pushed; NaN observations and rewards are refused and counted. The envs of shmrl_test_envs.py
// (beside this file) are registered through env.python_modules.
#include <torch/torch.h>
#undef CHECK  // c10's glog-style CHECK: Catch's is the one used here
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>

#include "actors/actor.h"
#include "actors/envs/gym_spaces.h"
#include "actors/envs/registry.h"
#include "actors/vector_envs.h"
#include "common/stats.h"
#include "tests/actors/actor_test_util.h"
#include "tests/common/shm_test_util.h"
#include "tests/skip.h"

using namespace shmrl;
using namespace shmrl::actors;

namespace {

// The test envs' module on the path every interpreter (probe, embedded) of this process uses.
void use_test_modules() { setenv("PYTHONPATH", SHMRL_GYM_TEST_DIR, 1); }

bool have_python() { return access(envs::gym_python().c_str(), X_OK) == 0; }

// One env, records pushed one by one; the test envs' module imported.
ActorOptions gym_options(const std::string& id) {
  ActorOptions o = test::small_actor_options();
  o.env_id = id;
  o.python_modules = "shmrl_test_envs";
  o.envs_per_actor = 1;
  o.push_batch = 1;
  return o;
}

std::vector<std::vector<std::byte>> drain(const RunContext& run, int actor_id) {
  return test::drain_actor_ring(run, actor_id);
}

}  // namespace

TEST_CASE("gym:CartPole-v1 through the bridge follows the built-in CartPole-v1 step for step", "[gym]") {
  if (!have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge (pybind11-dev, the venv's gymnasium)");
  auto gym = make_vector_env("gym:CartPole-v1", {}, "", 1);
  auto builtin = envs::make_env("CartPole-v1");
  CHECK(gym->observation_space().describe() == builtin->observation_space().describe());
  CHECK(gym->action_space().describe() == builtin->action_space().describe());
  std::mt19937 actions(11);
  int steps = 0;
  for (uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    float g[4], b[4];
    const uint8_t mask = 1;
    gym->reset(&mask, &seed, reinterpret_cast<std::byte*>(g));
    // The built-in draws its start from its own RNG: it starts from Gymnasium's state instead.
    builtin->set_state(std::vector<double>(g, g + 4), reinterpret_cast<std::byte*>(b));
    for (bool done = false; !done; ++steps) {
      const int32_t a = static_cast<int32_t>(actions() % 2);
      envs::StepResult gr;
      gym->step(reinterpret_cast<const std::byte*>(&a), reinterpret_cast<std::byte*>(g), &gr);
      const envs::StepResult br = builtin->step(&a, reinterpret_cast<std::byte*>(b));
      for (int i = 0; i < 4; ++i) CHECK(g[i] == Approx(b[i]).margin(1e-5));
      REQUIRE(gr.reward == br.reward);
      REQUIRE(gr.terminated == br.terminated);
      REQUIRE(gr.truncated == br.truncated);
      done = gr.terminated || gr.truncated;
    }
  }
  CHECK(steps >= 24);  // three whole episodes (random actions end one in about 8 steps at least)
}

TEST_CASE("unknown ids, missing modules and unsupported spaces are refused with what to do", "[gym]") {
  if (!have_python()) SHMRL_SKIP("no venv python at " + envs::gym_python() + " (launch/setup makes it)");
  use_test_modules();
  CHECK_THROWS_WITH(envs::resolve_gym_spaces("gym:NoSuchEnv-v9", {}),
                    Catch::Contains("unknown Gymnasium id 'NoSuchEnv-v9'") && Catch::Contains("pip install"));
  CHECK_THROWS_WITH(envs::resolve_gym_spaces("gym:ShmrlTest/Corridor-v0", {}, "no_such_module_xyz"),
                    Catch::Contains("cannot import 'no_such_module_xyz'") && Catch::Contains("pip install"));
  CHECK_THROWS_WITH(envs::resolve_gym_spaces("gym:ShmrlTest/DictObs-v0", {}, "shmrl_test_envs"),
                    Catch::Contains("observation space Dict(") && Catch::Contains("not supported"));
  CHECK_THROWS_WITH(envs::resolve_gym_spaces("gym:ShmrlTest/Corridor-v0", {{"width", "3"}}, "shmrl_test_envs"),
                    Catch::Contains("env.kwargs") && Catch::Contains("width"));
  // A known id: float64 one-hots become a float32 Box of the same shape, kwargs reach the env.
  const auto s = envs::resolve_gym_spaces("gym:ShmrlTest/Corridor-v0", {{"length", "7"}}, "shmrl_test_envs");
  CHECK(s.obs.describe() == Space::box({7}, std::vector<float>(7, 0.f), std::vector<float>(7, 1.f)).describe());
  CHECK(s.action.describe() == "Discrete(2)");
  CHECK(s.max_episode_steps == 50);
  // Resolved once: other processes of the run read them from the environment.
  const char* exported = std::getenv(envs::kGymSpacesVariable);
  REQUIRE(exported);
  CHECK_THAT(exported, Catch::Contains("ShmrlTest/Corridor-v0"));
  auto spaces_only = envs::make_env("gym:ShmrlTest/Corridor-v0", {{"length", "7"}});
  CHECK(spaces_only->observation_space().describe() == s.obs.describe());
  std::byte obs[28];
  CHECK_THROWS_WITH(spaces_only->reset(1, obs), Catch::Contains("Python bridge"));
}

TEST_CASE("a Python exception in step ends the actor's step: traceback on stderr, nothing of it pushed",
          "[gym]") {
  if (!have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge (pybind11-dev, the venv's gymnasium)");
  use_test_modules();
  test::RunGuard guard;
  const RunContext run{guard.id, ProcessId::self(), ""};
  ActorOptions o = gym_options("gym:ShmrlTest/Raising-v0");  // raises on every episode's 3rd step
  o.envs_per_actor = 2;
  std::atomic<bool> stop{false};
  Actor actor(o, run, stop);
  actor.step();
  actor.step();
  CHECK_THROWS_WITH(actor.step(), Catch::Contains("Python raised in step") &&
                                      Catch::Contains("shmrl test env raising on step 3"));
  actor.writer().flush();
  const auto records = drain(run, 0);
  CHECK(records.size() == 4);  // 2 envs x steps 1 and 2
}

TEST_CASE("NaN observations and rewards of a gym env are refused at the actor and counted", "[gym]") {
  if (!have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge (pybind11-dev, the venv's gymnasium)");
  use_test_modules();
  test::RunGuard guard;
  const RunContext run{guard.id, ProcessId::self(), ""};
  std::atomic<bool> stop{false};
  for (const char* what : {"obs", "reward"}) {
    INFO(what);
    const int id = std::string(what) == "obs" ? 0 : 1;
    ActorOptions o = gym_options("gym:ShmrlTest/NaNOutput-v0");  // NaN on every episode's 3rd step
    o.env_kwargs = {{"what", what}};
    o.actor_id = id;
    o.num_actors = 2;
    Actor actor(o, run, stop);
    for (int i = 0; i < 6; ++i) actor.step();
    CHECK(actor.refused_steps() == 2);  // vector steps 3 and 6
    actor.writer().flush();
    const auto records = drain(run, id);
    CHECK(records.size() == 4);  // steps 1 and 2 of both episodes
    for (const auto& r : records) {
      const TransitionRef t = actor.schema().unpack(r.data());
      CHECK(std::isfinite(t.reward));
      for (std::size_t i = 0; i < 10; ++i) {
        float v;
        std::memcpy(&v, t.next_obs + 4 * i, 4);
        CHECK(std::isfinite(v));
      }
    }
    CHECK(read_stats(run, seg::actor_stats(id)).at(stat::kRefused) == 2);
  }
}
