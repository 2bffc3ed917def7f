#pragma once
// Hopper-v5 (Gymnasium envs/mujoco/hopper_v5.py) and Walker2d-v5 (walker2d_v5.py): planar walkers
// with frame skip 4 and reward = forward_reward_weight * dx/dt + healthy_reward (when healthy)
// - ctrl_cost_weight * |a|^2; terminated when unhealthy (if terminate_when_unhealthy); 1000-step
// limit. Observation qpos[1:] (all of qpos without
// exclude_current_positions_from_observation) then qvel clipped to [-10, 10]. Reset noise U(+-s)
// on qpos and qvel (s = reset_noise_scale, 0.005).
//   Hopper: hopper.xml, Box(11). Healthy: healthy_z_range (0.7, inf) holds z = qpos[1],
//     healthy_angle_range (-0.2, 0.2) the angle qpos[2], healthy_state_range (-100, 100) every
//     value of qpos[2:] and qvel; all bounds exclusive.
//   Walker2d: walker2d_v5.xml, Box(17). Healthy: z in healthy_z_range (0.8, 2.0), angle in
//     healthy_angle_range (-1, 1), exclusive.
// Kwargs: xml_file, frame_skip, forward_reward_weight, ctrl_cost_weight, healthy_reward,
// terminate_when_unhealthy, healthy_z_range, healthy_angle_range, (Hopper) healthy_state_range,
// reset_noise_scale, exclude_current_positions_from_observation.
#include "actors/envs/mujoco/mujoco_env.h"

namespace shmrl::envs::mujoco {

class PlanarWalker : public MujocoEnv {
 public:
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 protected:
  // has_state_range: Hopper's healthy_state_range check (Walker2d has none).
  PlanarWalker(KwargReader& kw, Options defaults, KwargReader::Range z, KwargReader::Range angle,
               bool has_state_range);
  void write_obs(float* obs) const override;

 private:
  bool healthy() const;
  double forward_weight_ = 1, ctrl_weight_ = 1e-3, healthy_reward_ = 1;
  bool terminate_when_unhealthy_ = true, has_state_range_ = false;
  KwargReader::Range z_{}, angle_{}, state_{-100, 100};
  int skipped_qpos_ = 1;
};

class Hopper : public PlanarWalker {
 public:
  explicit Hopper(const EnvKwargs& kwargs = {});

 private:
  explicit Hopper(KwargReader&& kw);
};

class Walker2d : public PlanarWalker {
 public:
  explicit Walker2d(const EnvKwargs& kwargs = {});

 private:
  explicit Walker2d(KwargReader&& kw);
};

}  // namespace shmrl::envs::mujoco
