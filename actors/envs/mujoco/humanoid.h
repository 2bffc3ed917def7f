#pragma once
// The humanoid envs (Gymnasium envs/mujoco/humanoid_v5.py, humanoidstandup_v5.py): frame skip 5,
// 1000-step limit, reset noise U(+-s) on qpos and qvel (s = reset_noise_scale, 0.01).
// Observation: qpos[2:] (all of qpos without exclude_current_positions_from_observation), qvel,
// then unless excluded by their include_*_in_observation kwarg: cinert[1:], cvel[1:],
// qfrc_actuator[6:], cfrc_ext[1:]: Box(348).
//
// Humanoid-v5: humanoid.xml. reward = forward_reward_weight * dx/dt of the mass centre
//   + healthy_reward (when healthy) - ctrl_cost_weight * |ctrl|^2
//   - clip(contact_cost_weight * |cfrc_ext|^2, contact_cost_range); healthy: z = qpos[2] within
//   healthy_z_range (1, 2), exclusive; terminated when unhealthy (if terminate_when_unhealthy).
//   Kwargs: xml_file, frame_skip, forward_reward_weight, ctrl_cost_weight, contact_cost_weight,
//   contact_cost_range, healthy_reward, terminate_when_unhealthy, healthy_z_range, and the shared
//   ones below.
// HumanoidStandup-v5: humanoidstandup.xml (lying down). reward = uph_cost_weight * z / timestep
//   (the model's timestep, not dt) - ctrl_cost_weight * |ctrl|^2
//   - clip(impact_cost_weight * |cfrc_ext|^2, impact_cost_range) + 1; never terminates.
//   Gymnasium 1.4.0 takes uph_cost_weight but leaves it out of the reward; here it multiplies the
//   term as Gymnasium documents it (with the default 1 both are the same).
//   Kwargs: xml_file, frame_skip, uph_cost_weight, ctrl_cost_weight, impact_cost_weight,
//   impact_cost_range, and the shared ones below.
// Shared kwargs: reset_noise_scale, exclude_current_positions_from_observation,
// include_cinert_in_observation, include_cvel_in_observation,
// include_qfrc_actuator_in_observation, include_cfrc_ext_in_observation.
#include "actors/envs/mujoco/mujoco_env.h"

namespace shmrl::envs::mujoco {

class HumanoidBase : public MujocoEnv {
 protected:
  // Reads the shared observation kwargs and sizes the observation; the subclass reads its own and
  // then calls kw.finish().
  HumanoidBase(KwargReader& kw, Options defaults);
  void write_obs(float* obs) const override;
  // |ctrl|^2 (float64 ctrl, not the float32 action) and |cfrc_ext|^2 over every body, summed as
  // numpy does.
  double ctrl_squared() { return squared_sum(data()->ctrl, model()->nu); }
  double contact_squared() { return squared_sum(data()->cfrc_ext, 6 * model()->nbody); }

 private:
  bool cinert_ = true, cvel_ = true, qfrc_actuator_ = true, cfrc_ext_ = true;
  int skipped_qpos_ = 2;
};

class Humanoid : public HumanoidBase {
 public:
  explicit Humanoid(const EnvKwargs& kwargs = {});
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 private:
  explicit Humanoid(KwargReader&& kw);
  double mass_center_x() const;
  double forward_weight_ = 1.25, ctrl_weight_ = 0.1, contact_weight_ = 5e-7, healthy_reward_ = 5;
  bool terminate_when_unhealthy_ = true;
  KwargReader::Range z_{1.0, 2.0}, contact_cost_range_{-INFINITY, 10.0};
};

class HumanoidStandup : public HumanoidBase {
 public:
  explicit HumanoidStandup(const EnvKwargs& kwargs = {});
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 private:
  explicit HumanoidStandup(KwargReader&& kw);
  double uph_weight_ = 1, ctrl_weight_ = 0.1, impact_weight_ = 0.5e-6;
  KwargReader::Range impact_cost_range_{-INFINITY, 10.0};
};

}  // namespace shmrl::envs::mujoco
