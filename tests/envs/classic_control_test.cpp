// The classic-control envs against Gymnasium's own trajectories (scripts/record_gymnasium.py):
// start from the recorded post-reset state (the RNG streams differ), replay the recorded actions
// through make_env (so the TimeLimit is included) and require every observation and reward within
// 1e-5 and every terminated/truncated flag exactly. The recordings hold terminations and, for each
// env, at least one episode cut by the time limit.
#include <catch2/catch.hpp>

#include <cmath>

#include "actors/envs/registry.h"
#include "reference_data.h"

using namespace shmrl;
using namespace shmrl::envs;
using namespace shmrl::envs::testing;

namespace {

constexpr double kTol = 1e-5;

void replay(const std::string& name) {
  const Recording rec = load_recording(name);
  auto env = make_env(rec.env_id, rec.kwargs);
  REQUIRE(env->max_episode_steps() == rec.max_episode_steps);
  const std::size_t obs_n = env->observation_space().numel();
  std::vector<float> obs(obs_n);
  auto* o = reinterpret_cast<std::byte*>(obs.data());
  double worst_obs = 0, worst_reward = 0;
  bool saw_truncation = false;
  for (const RecordedEpisode& ep : rec.episodes) {
    INFO(name << " seed " << ep.seed);
    env->reset(ep.seed, o);
    env->set_state(ep.initial_state, o);
    REQUIRE(ep.initial_obs.size() == obs_n);
    REQUIRE(max_abs_diff(ep.initial_obs, obs.data()) <= kTol);
    for (std::size_t t = 0; t < ep.actions.size(); ++t) {
      INFO("step " << t);
      const auto action = encode_action(env->action_space(), ep.actions[t]);
      REQUIRE(env->action_space().contains_action(action.data()));
      const StepResult r = env->step(action.data(), o);
      const double d_obs = max_abs_diff(ep.obs[t], obs.data());
      const double d_rew = std::fabs(r.reward - ep.rewards[t]);
      worst_obs = std::max(worst_obs, d_obs);
      worst_reward = std::max(worst_reward, d_rew);
      REQUIRE(d_obs <= kTol);
      REQUIRE(d_rew <= kTol);
      REQUIRE(r.terminated == ep.terminated[t]);
      REQUIRE(r.truncated == ep.truncated[t]);
    }
    saw_truncation = saw_truncation || ep.truncated.back();
  }
  CHECK(saw_truncation);
  WARN(name << ": max |obs diff| " << worst_obs << ", max |reward diff| " << worst_reward);
}

}  // namespace

TEST_CASE("CartPole-v1 matches Gymnasium", "[gymnasium]") { replay("CartPole-v1"); }
TEST_CASE("Acrobot-v1 matches Gymnasium", "[gymnasium]") { replay("Acrobot-v1"); }
TEST_CASE("MountainCar-v0 matches Gymnasium", "[gymnasium]") { replay("MountainCar-v0"); }
TEST_CASE("Pendulum-v1 matches Gymnasium", "[gymnasium]") { replay("Pendulum-v1"); }
