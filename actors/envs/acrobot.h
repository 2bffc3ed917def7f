#pragma once
// Acrobot-v1 (Gymnasium 1.x classic_control/acrobot.py): two links, torque in {-1, 0, +1} on the
// joint between them, one RK4 step of dt = 0.2 s with the "book" dynamics (Sutton & Barto) Gymnasium
// uses, angles wrapped to [-pi, pi], velocities clipped to 4 pi / 9 pi. Reward -1 per step, 0 on the
// terminating step (tip above the bar: -cos(t1) - cos(t1 + t2) > 1); 500-step limit via make_env.
// Initial state uniform in (-0.1, 0.1)^4, rounded to float32 as Gymnasium does. No kwargs.
// Observation Box(6,) float32 [cos t1, sin t1, cos t2, sin t2, dt1, dt2]; action Discrete(3).
#include "actors/envs/env.h"
#include "actors/envs/kwargs.h"
#include "actors/envs/rng.h"

namespace shmrl::envs {

class Acrobot : public Env {
 public:
  static constexpr int kMaxEpisodeSteps = 500;
  explicit Acrobot(const EnvKwargs& kwargs = {});

  const Space& observation_space() const override { return obs_space_; }
  const Space& action_space() const override { return action_space_; }
  int max_episode_steps() const override { return kMaxEpisodeSteps; }
  void reset(uint64_t seed, std::byte* obs) override;
  StepResult step(const void* action, std::byte* obs) override;  // 4 derivative calls, no allocation
  // [theta1, theta2, dtheta1, dtheta2] in float64.
  std::vector<double> state() const override;
  void set_state(std::span<const double> state, std::byte* obs) override;

 private:
  void write_obs(std::byte* obs) const;
  double s_[4] = {};
  Rng rng_;
  Space obs_space_, action_space_;
};

}  // namespace shmrl::envs
