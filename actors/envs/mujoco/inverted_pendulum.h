#pragma once
// The cart-pole envs (Gymnasium envs/mujoco/inverted_pendulum_v5.py,
// inverted_double_pendulum_v5.py); 1000-step limit.
//   InvertedPendulum-v5: inverted_pendulum.xml, frame skip 2. Observation qpos, qvel: Box(4).
//     reward 1 while |pole angle qpos[1]| <= 0.2, and then terminated with reward 0. Reset noise
//     U(+-s) on qpos and qvel (s = reset_noise_scale, 0.01). Kwargs: xml_file, frame_skip,
//     reset_noise_scale.
//   InvertedDoublePendulum-v5: inverted_double_pendulum.xml, frame skip 5. Observation: cart x
//     qpos[0], sin and cos of the two link angles qpos[1:], qvel clipped to [-10, 10], the cart's
//     constraint force qfrc_constraint[0] clipped to [-10, 10]: Box(9). With (x, y) the tip site's
//     x and z: terminated when y <= 1; reward = healthy_reward (unless terminated)
//     - (0.01 x^2 + (y - 2)^2) - (1e-3 qvel[1]^2 + 5e-3 qvel[2]^2). Reset noise U(+-s) on qpos,
//     s * N(0, 1) on qvel (s = 0.1). Kwargs: xml_file, frame_skip, healthy_reward,
//     reset_noise_scale.
#include "actors/envs/mujoco/mujoco_env.h"

namespace shmrl::envs::mujoco {

class InvertedPendulum : public MujocoEnv {
 public:
  explicit InvertedPendulum(const EnvKwargs& kwargs = {});
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 protected:
  void write_obs(float* obs) const override;

 private:
  explicit InvertedPendulum(KwargReader&& kw);
};

class InvertedDoublePendulum : public MujocoEnv {
 public:
  explicit InvertedDoublePendulum(const EnvKwargs& kwargs = {});
  StepResult step(const void* action, std::byte* obs) override;  // allocation-free

 protected:
  void write_obs(float* obs) const override;

 private:
  explicit InvertedDoublePendulum(KwargReader&& kw);
  double healthy_reward_ = 10;
};

}  // namespace shmrl::envs::mujoco
