#include "actors/envs/mujoco/half_cheetah.h"

namespace shmrl::envs::mujoco {

ForwardRunner::ForwardRunner(KwargReader& kw, Options defaults, double ctrl_weight, int skipped)
    : MujocoEnv(read_options(kw, std::move(defaults))) {
  forward_weight_ = kw.get_double("forward_reward_weight", 1.0, -1e6, 1e6);
  ctrl_weight_ = kw.get_double("ctrl_cost_weight", ctrl_weight, -1e6, 1e6);
  skipped_qpos_ = kw.get_bool("exclude_current_positions_from_observation", true) ? skipped : 0;
  kw.finish();
  init_spaces(model()->nq - skipped_qpos_ + model()->nv);
}

void ForwardRunner::write_obs(float* obs) const {
  const mjData* d = data();
  for (int i = skipped_qpos_; i < model()->nq; ++i) *obs++ = static_cast<float>(d->qpos[i]);
  for (int i = 0; i < model()->nv; ++i) *obs++ = static_cast<float>(d->qvel[i]);
}

StepResult ForwardRunner::step(const void* action, std::byte* obs) {
  const double x_before = data()->qpos[0];
  if (!simulate(action)) return unstable(obs);
  const double x_velocity = (data()->qpos[0] - x_before) / dt();
  write_obs_bytes(obs);
  return {forward_weight_ * x_velocity - action_cost(ctrl_weight_), false, false};
}

HalfCheetah::HalfCheetah(const EnvKwargs& kwargs) : HalfCheetah(KwargReader("HalfCheetah-v5", kwargs)) {}

HalfCheetah::HalfCheetah(KwargReader&& kw)
    : ForwardRunner(kw, {.env_id = "HalfCheetah-v5", .xml_file = "half_cheetah.xml", .frame_skip = 5,
                         .reset_noise_scale = 0.1, .velocity_noise = VelocityNoise::kNormal},
                    0.1, 1) {}

Swimmer::Swimmer(const EnvKwargs& kwargs) : Swimmer(KwargReader("Swimmer-v5", kwargs)) {}

Swimmer::Swimmer(KwargReader&& kw)
    : ForwardRunner(kw, {.env_id = "Swimmer-v5", .xml_file = "swimmer.xml", .frame_skip = 4,
                         .reset_noise_scale = 0.1},
                    1e-4, 2) {}

}  // namespace shmrl::envs::mujoco
