#pragma once
// CartPole-v1 (Gymnasium 1.x classic_control/cartpole.py): Euler integration in float64, reward 1
// per step including the terminating one (0 for steps after termination), terminated when
// |x| > 2.4 or |theta| > 12 degrees; 500-step limit via make_env. Initial state uniform in
// (-0.05, 0.05)^4. Kwargs: sutton_barto_reward (bool, default false: 0 per step, -1 at the end).
// Observation Box(4,) float32 [x, x_dot, theta, theta_dot]; action Discrete(2) (0 left, 1 right).
#include "actors/envs/env.h"
#include "actors/envs/kwargs.h"
#include "actors/envs/rng.h"

namespace shmrl::envs {

class CartPole : public Env {
 public:
  static constexpr int kMaxEpisodeSteps = 500;
  explicit CartPole(const EnvKwargs& kwargs = {});

  const Space& observation_space() const override { return obs_space_; }
  const Space& action_space() const override { return action_space_; }
  int max_episode_steps() const override { return kMaxEpisodeSteps; }
  void reset(uint64_t seed, std::byte* obs) override;
  StepResult step(const void* action, std::byte* obs) override;  // O(1), no allocation
  // [x, x_dot, theta, theta_dot] in float64.
  std::vector<double> state() const override;
  void set_state(std::span<const double> state, std::byte* obs) override;

 private:
  void write_obs(std::byte* obs) const;
  double s_[4] = {};
  bool sutton_barto_reward_ = false;
  bool terminated_before_ = false;  // Gymnasium's steps_beyond_terminated is not None
  Rng rng_;
  Space obs_space_, action_space_;
};

}  // namespace shmrl::envs
