#pragma once
// Ant-v5 (Gymnasium envs/mujoco/ant_v5.py): ant.xml, frame skip 5, 1000-step limit.
// reward = forward_reward_weight * dx/dt of main_body + healthy_reward (when healthy)
//          - ctrl_cost_weight * |a|^2 - contact_cost_weight * |clip(cfrc_ext, contact_force_range)|^2;
// healthy: qpos and qvel finite and z = qpos[2] within healthy_z_range (0.2, 1.0) inclusive;
// terminated when unhealthy (if terminate_when_unhealthy). Observation qpos[2:] (all of qpos
// without exclude_current_positions_from_observation), qvel, then clip(cfrc_ext[1:]) (without
// include_cfrc_ext_in_observation = false): Box(105). Reset noise U(+-s) on qpos, s * N(0, 1) on
// qvel (s = reset_noise_scale, 0.1).
// Kwargs: xml_file, frame_skip, forward_reward_weight, ctrl_cost_weight, contact_cost_weight,
// healthy_reward, main_body (a body index or name, default 1), terminate_when_unhealthy,
// healthy_z_range, contact_force_range, reset_noise_scale,
// exclude_current_positions_from_observation, include_cfrc_ext_in_observation.
#include "actors/envs/mujoco/mujoco_env.h"

namespace shmrl::envs::mujoco {

class Ant : public MujocoEnv {
 public:
  explicit Ant(const EnvKwargs& kwargs = {});
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 protected:
  void write_obs(float* obs) const override;

 private:
  explicit Ant(KwargReader&& kw);
  double contact_force(int i) const;  // cfrc_ext value i, clipped to contact_force_range
  double forward_weight_ = 1, ctrl_weight_ = 0.5, contact_weight_ = 5e-4, healthy_reward_ = 1;
  bool terminate_when_unhealthy_ = true, include_cfrc_ext_ = true;
  KwargReader::Range z_{0.2, 1.0}, contact_range_{-1.0, 1.0};
  int main_body_ = 1, skipped_qpos_ = 2;
  std::vector<double> clipped_;  // clipped cfrc_ext, for the contact cost
};

}  // namespace shmrl::envs::mujoco
