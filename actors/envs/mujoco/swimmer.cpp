#include "actors/envs/mujoco/swimmer.h"

namespace shmrl::envs::mujoco {

Swimmer::Swimmer(const EnvKwargs& kwargs) : Swimmer(KwargReader("Swimmer-v5", kwargs)) {}

Swimmer::Swimmer(KwargReader&& kw)
    : MujocoEnv(read_options(kw, {.env_id = "Swimmer-v5",
                                  .xml_file = "swimmer.xml",
                                  .frame_skip = 4,
                                  .reset_noise_scale = 0.1})) {
  forward_weight_ = kw.get_double("forward_reward_weight", 1.0, -1e6, 1e6);
  ctrl_weight_ = kw.get_double("ctrl_cost_weight", 1e-4, -1e6, 1e6);
  skipped_qpos_ = kw.get_bool("exclude_current_positions_from_observation", true) ? 2 : 0;
  kw.finish();
  init_spaces(model()->nq - skipped_qpos_ + model()->nv);
}

void Swimmer::write_obs(float* obs) const {
  for (int i = skipped_qpos_; i < model()->nq; ++i) *obs++ = static_cast<float>(data()->qpos[i]);
  for (int i = 0; i < model()->nv; ++i) *obs++ = static_cast<float>(data()->qvel[i]);
}

StepResult Swimmer::step(const void* action, std::byte* obs) {
  const double x_before = data()->qpos[0];
  if (!simulate(action)) return unstable(obs);
  const double x_velocity = (data()->qpos[0] - x_before) / dt();
  write_obs_bytes(obs);
  return {forward_weight_ * x_velocity - action_cost(ctrl_weight_), false, false};
}

}  // namespace shmrl::envs::mujoco
