#pragma once
// Pendulum-v1 (Gymnasium 1.x classic_control/pendulum.py): torque u clipped to [-2, 2];
// cost = angle_normalize(th)^2 + 0.1 thdot^2 + 0.001 u^2, reward = -cost (never terminates);
// thdot += (3 g / 2 sin th + 3 u) dt clipped to +-8, th += thdot dt with dt = 0.05; 200-step limit
// via make_env. Initial th uniform in (-pi, pi), thdot in (-1, 1). Kwargs: g (default 10).
// Observation Box(3,) float32 [cos th, sin th, thdot]; action Box(-2, 2, (1,), float32).
#include "actors/envs/env.h"
#include "actors/envs/kwargs.h"
#include "actors/envs/rng.h"

namespace shmrl::envs {

class Pendulum : public Env {
 public:
  static constexpr int kMaxEpisodeSteps = 200;
  explicit Pendulum(const EnvKwargs& kwargs = {});

  const Space& observation_space() const override { return obs_space_; }
  const Space& action_space() const override { return action_space_; }
  int max_episode_steps() const override { return kMaxEpisodeSteps; }
  void reset(uint64_t seed, std::byte* obs) override;
  StepResult step(const void* action, std::byte* obs) override;  // O(1), no allocation
  // [theta, theta_dot] in float64.
  std::vector<double> state() const override;
  void set_state(std::span<const double> state, std::byte* obs) override;

 private:
  void write_obs(std::byte* obs) const;
  double s_[2] = {};
  double g_ = 10.0;
  Rng rng_;
  Space obs_space_, action_space_;
};

}  // namespace shmrl::envs
