#pragma once
// HalfCheetah-v5 (Gymnasium envs/mujoco/half_cheetah_v5.py): half_cheetah.xml, frame skip 5,
// reward = forward_reward_weight * dx/dt - ctrl_cost_weight * |a|^2, never terminates, 1000-step
// limit. Observation qpos[1:] (all of qpos without exclude_current_positions_from_observation)
// then qvel: Box(17). Reset noise U(+-s) on qpos, s * N(0, 1) on qvel (s = reset_noise_scale, 0.1).
// Kwargs: xml_file, frame_skip, forward_reward_weight, ctrl_cost_weight, reset_noise_scale,
// exclude_current_positions_from_observation.
#include "actors/envs/mujoco/mujoco_env.h"

namespace shmrl::envs::mujoco {

class HalfCheetah : public MujocoEnv {
 public:
  explicit HalfCheetah(const EnvKwargs& kwargs = {});
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 protected:
  void write_obs(float* obs) const override;

 private:
  HalfCheetah(KwargReader&& kw);
  double forward_weight_ = 1, ctrl_weight_ = 0.1;
  int skipped_qpos_ = 1;
};

}  // namespace shmrl::envs::mujoco
