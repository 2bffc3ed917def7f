#pragma once
// MountainCar-v0 (Gymnasium 1.x classic_control/mountain_car.py): velocity += (a - 1) * 0.001 -
// 0.0025 cos(3 x), clipped to +-0.07; position clipped to [-1.2, 0.6] with the velocity zeroed at
// the left wall. Reward -1 per step; terminated at x >= 0.5 with velocity >= goal_velocity;
// 200-step limit via make_env. Initial x uniform in (-0.6, -0.4), velocity 0.
// Kwargs: goal_velocity (number, default 0). Observation Box(2,) float32 [x, v]; Discrete(3).
#include "actors/envs/env.h"
#include "actors/envs/kwargs.h"
#include "actors/envs/rng.h"

namespace shmrl::envs {

class MountainCar : public Env {
 public:
  static constexpr int kMaxEpisodeSteps = 200;
  explicit MountainCar(const EnvKwargs& kwargs = {});

  const Space& observation_space() const override { return obs_space_; }
  const Space& action_space() const override { return action_space_; }
  int max_episode_steps() const override { return kMaxEpisodeSteps; }
  void reset(uint64_t seed, std::byte* obs) override;
  StepResult step(const void* action, std::byte* obs) override;  // O(1), no allocation
  // [position, velocity] in float64.
  std::vector<double> state() const override;
  void set_state(std::span<const double> state, std::byte* obs) override;

 private:
  void write_obs(std::byte* obs) const;
  double s_[2] = {};
  double goal_velocity_ = 0;
  Rng rng_;
  Space obs_space_, action_space_;
};

}  // namespace shmrl::envs
