#pragma once
// Humanoid-v5 (Gymnasium envs/mujoco/humanoid_v5.py): humanoid.xml, frame skip 5, 1000-step limit.
// reward = forward_reward_weight * dx/dt of the mass centre + healthy_reward (when healthy)
//          - ctrl_cost_weight * |ctrl|^2 - clip(contact_cost_weight * |cfrc_ext|^2, contact_cost_range);
// healthy: z = qpos[2] within healthy_z_range (1, 2), exclusive; terminated when unhealthy (if
// terminate_when_unhealthy). Observation: qpos[2:] (all of qpos without
// exclude_current_positions_from_observation), qvel, then unless excluded by their
// include_*_in_observation kwarg: cinert[1:], cvel[1:], qfrc_actuator[6:], cfrc_ext[1:]: Box(348).
// Reset noise U(+-s) on qpos and qvel (s = reset_noise_scale, 0.01).
// Kwargs: xml_file, frame_skip, forward_reward_weight, ctrl_cost_weight, contact_cost_weight,
// contact_cost_range, healthy_reward, terminate_when_unhealthy, healthy_z_range,
// reset_noise_scale, exclude_current_positions_from_observation, include_cinert_in_observation,
// include_cvel_in_observation, include_qfrc_actuator_in_observation,
// include_cfrc_ext_in_observation.
#include "actors/envs/mujoco/mujoco_env.h"

namespace shmrl::envs::mujoco {

class Humanoid : public MujocoEnv {
 public:
  explicit Humanoid(const EnvKwargs& kwargs = {});
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 protected:
  void write_obs(float* obs) const override;

 private:
  explicit Humanoid(KwargReader&& kw);
  double mass_center_x() const;
  double forward_weight_ = 1.25, ctrl_weight_ = 0.1, contact_weight_ = 5e-7, healthy_reward_ = 5;
  bool terminate_when_unhealthy_ = true;
  bool cinert_ = true, cvel_ = true, qfrc_actuator_ = true, cfrc_ext_ = true;
  KwargReader::Range z_{1.0, 2.0}, contact_cost_range_{-INFINITY, 10.0};
  int skipped_qpos_ = 2;
};

}  // namespace shmrl::envs::mujoco
