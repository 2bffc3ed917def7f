#pragma once
// The arm envs (Gymnasium envs/mujoco/reacher_v5.py, pusher_v5.py); they never terminate, and their
// reset noise is fixed (no reset_noise_scale kwarg). "com(b)" is body b's frame position (xpos,
// Gymnasium's get_body_com).
//   Reacher-v5: reacher.xml, frame skip 2, 50-step limit. Observation cos and sin of the two joint
//     angles, the target's position qpos[2:], the joint velocities qvel[:2], and the xy of
//     com(fingertip) - com(target): Box(10). reward = -reward_dist_weight * |com(fingertip) -
//     com(target)| - reward_control_weight * |a|^2. Reset: qpos + U(+-0.1), then the target drawn
//     U(+-0.2)^2 until inside the disc of radius 0.2; qvel + U(+-0.005) with the target's zeroed.
//     Kwargs: xml_file, frame_skip, reward_dist_weight, reward_control_weight.
//   Pusher-v5: pusher_v5.xml, frame skip 5, 100-step limit. Observation qpos[:7], qvel[:7],
//     com(tips_arm), com(object), com(goal): Box(23). reward = -reward_dist_weight *
//     |com(object) - com(goal)| - reward_control_weight * |a|^2 - reward_near_weight *
//     |com(object) - com(tips_arm)|. Reset: the goal at (0, 0), the cylinder at (U(-0.3, 0),
//     U(-0.2, 0.2)) redrawn until farther than 0.17 from the goal; qvel + U(+-0.005) with the
//     object's and goal's zeroed. Kwargs: xml_file, frame_skip, reward_near_weight,
//     reward_dist_weight, reward_control_weight.
#include "actors/envs/mujoco/mujoco_env.h"

namespace shmrl::envs::mujoco {

class Reacher : public MujocoEnv {
 public:
  explicit Reacher(const EnvKwargs& kwargs = {});
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 protected:
  void write_obs(float* obs) const override;
  void add_reset_noise(Rng& rng, double* qpos, double* qvel) const override;

 private:
  explicit Reacher(KwargReader&& kw);
  double dist_weight_ = 1, control_weight_ = 1;
  int fingertip_ = -1, target_ = -1;
};

class Pusher : public MujocoEnv {
 public:
  explicit Pusher(const EnvKwargs& kwargs = {});
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 protected:
  void write_obs(float* obs) const override;
  void add_reset_noise(Rng& rng, double* qpos, double* qvel) const override;

 private:
  explicit Pusher(KwargReader&& kw);
  double near_weight_ = 0.5, dist_weight_ = 1, control_weight_ = 0.1;
  int tips_arm_ = -1, object_ = -1, goal_ = -1;
};

}  // namespace shmrl::envs::mujoco
