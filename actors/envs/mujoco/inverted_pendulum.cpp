#include "actors/envs/mujoco/inverted_pendulum.h"

#include <algorithm>
#include <cmath>

namespace shmrl::envs::mujoco {

InvertedPendulum::InvertedPendulum(const EnvKwargs& kwargs)
    : InvertedPendulum(KwargReader("InvertedPendulum-v5", kwargs)) {}

InvertedPendulum::InvertedPendulum(KwargReader&& kw)
    : MujocoEnv(read_options(kw, {.env_id = "InvertedPendulum-v5",
                                  .xml_file = "inverted_pendulum.xml",
                                  .frame_skip = 2,
                                  .reset_noise_scale = 0.01})) {
  kw.finish();
  init_spaces(model()->nq + model()->nv);
}

void InvertedPendulum::write_obs(float* obs) const {
  for (int i = 0; i < model()->nq; ++i) *obs++ = static_cast<float>(data()->qpos[i]);
  for (int i = 0; i < model()->nv; ++i) *obs++ = static_cast<float>(data()->qvel[i]);
}

StepResult InvertedPendulum::step(const void* action, std::byte* obs) {
  if (!simulate(action)) return unstable(obs);
  write_obs_bytes(obs);
  const bool terminated = std::fabs(data()->qpos[1]) > 0.2;
  return {terminated ? 0.0 : 1.0, terminated, false};
}

InvertedDoublePendulum::InvertedDoublePendulum(const EnvKwargs& kwargs)
    : InvertedDoublePendulum(KwargReader("InvertedDoublePendulum-v5", kwargs)) {}

InvertedDoublePendulum::InvertedDoublePendulum(KwargReader&& kw)
    : MujocoEnv(read_options(kw, {.env_id = "InvertedDoublePendulum-v5",
                                  .xml_file = "inverted_double_pendulum.xml",
                                  .frame_skip = 5,
                                  .reset_noise_scale = 0.1,
                                  .velocity_noise = VelocityNoise::kNormal})) {
  healthy_reward_ = kw.get_double("healthy_reward", 10.0, -1e6, 1e6);
  kw.finish();
  init_spaces(1 + 2 * (model()->nq - 1) + model()->nv + 1);
}

void InvertedDoublePendulum::write_obs(float* obs) const {
  const mjData* d = data();
  const int nq = model()->nq;
  *obs++ = static_cast<float>(d->qpos[0]);
  for (int i = 1; i < nq; ++i) *obs++ = static_cast<float>(std::sin(d->qpos[i]));
  for (int i = 1; i < nq; ++i) *obs++ = static_cast<float>(std::cos(d->qpos[i]));
  for (int i = 0; i < model()->nv; ++i) *obs++ = static_cast<float>(std::clamp(d->qvel[i], -10.0, 10.0));
  *obs = static_cast<float>(std::clamp(d->qfrc_constraint[0], -10.0, 10.0));
}

StepResult InvertedDoublePendulum::step(const void* action, std::byte* obs) {
  if (!simulate(action)) return unstable(obs);
  write_obs_bytes(obs);
  const mjData* d = data();
  const double x = d->site_xpos[0], y = d->site_xpos[2];
  const double v1 = d->qvel[1], v2 = d->qvel[2];
  const bool terminated = y <= 1;
  const double dist_penalty = 0.01 * (x * x) + (y - 2) * (y - 2);
  const double vel_penalty = 1e-3 * (v1 * v1) + 5e-3 * (v2 * v2);
  const double alive = terminated ? 0.0 : healthy_reward_;
  return {alive - dist_penalty - vel_penalty, terminated, false};
}

}  // namespace shmrl::envs::mujoco
