#pragma once
// The envs that are rewarded for moving forward and never terminate (1000-step limit):
// reward = forward_reward_weight * dx/dt - ctrl_cost_weight * |a|^2, observation qpos without its
// first `skipped` values (all of qpos without exclude_current_positions_from_observation), then qvel.
//   HalfCheetah-v5 (Gymnasium envs/mujoco/half_cheetah_v5.py): half_cheetah.xml, frame skip 5,
//     skipped 1 (x): Box(17), ctrl_cost_weight 0.1. Reset noise U(+-s) on qpos, s * N(0, 1) on qvel
//     (s = reset_noise_scale, 0.1).
//   Swimmer-v5 (swimmer_v5.py): swimmer.xml, frame skip 4, skipped 2 (x, y): Box(8),
//     ctrl_cost_weight 1e-4. Reset noise U(+-s) on qpos and qvel (s = 0.1).
// Kwargs: xml_file, frame_skip, forward_reward_weight, ctrl_cost_weight, reset_noise_scale,
// exclude_current_positions_from_observation.
#include "actors/envs/mujoco/mujoco_env.h"

namespace shmrl::envs::mujoco {

class ForwardRunner : public MujocoEnv {
 public:
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 protected:
  ForwardRunner(KwargReader& kw, Options defaults, double ctrl_weight, int skipped);
  void write_obs(float* obs) const override;

 private:
  double forward_weight_ = 1, ctrl_weight_ = 0.1;
  int skipped_qpos_ = 1;
};

class HalfCheetah : public ForwardRunner {
 public:
  explicit HalfCheetah(const EnvKwargs& kwargs = {});

 private:
  explicit HalfCheetah(KwargReader&& kw);
};

class Swimmer : public ForwardRunner {
 public:
  explicit Swimmer(const EnvKwargs& kwargs = {});

 private:
  explicit Swimmer(KwargReader&& kw);
};

}  // namespace shmrl::envs::mujoco
