#pragma once
// Swimmer-v5 (Gymnasium envs/mujoco/swimmer_v5.py): swimmer.xml, frame skip 4, 1000-step limit,
// never terminates. reward = forward_reward_weight * dx/dt - ctrl_cost_weight * |a|^2.
// Observation qpos[2:] (all of qpos without exclude_current_positions_from_observation), qvel:
// Box(8). Reset noise U(+-s) on qpos and qvel (s = reset_noise_scale, 0.1).
// Kwargs: xml_file, frame_skip, forward_reward_weight, ctrl_cost_weight, reset_noise_scale,
// exclude_current_positions_from_observation.
#include "actors/envs/mujoco/mujoco_env.h"

namespace shmrl::envs::mujoco {

class Swimmer : public MujocoEnv {
 public:
  explicit Swimmer(const EnvKwargs& kwargs = {});
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 protected:
  void write_obs(float* obs) const override;

 private:
  explicit Swimmer(KwargReader&& kw);
  double forward_weight_ = 1, ctrl_weight_ = 1e-4;
  int skipped_qpos_ = 2;
};

}  // namespace shmrl::envs::mujoco
