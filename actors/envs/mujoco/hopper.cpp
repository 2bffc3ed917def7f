#include "actors/envs/mujoco/hopper.h"

#include <algorithm>
#include <cmath>

namespace shmrl::envs::mujoco {

PlanarWalker::PlanarWalker(KwargReader& kw, Options defaults, KwargReader::Range z,
                           KwargReader::Range angle, bool has_state_range)
    : MujocoEnv(read_options(kw, std::move(defaults))), has_state_range_(has_state_range) {
  forward_weight_ = kw.get_double("forward_reward_weight", 1.0, -1e6, 1e6);
  ctrl_weight_ = kw.get_double("ctrl_cost_weight", 1e-3, -1e6, 1e6);
  healthy_reward_ = kw.get_double("healthy_reward", 1.0, -1e6, 1e6);
  terminate_when_unhealthy_ = kw.get_bool("terminate_when_unhealthy", true);
  z_ = kw.get_range("healthy_z_range", z);
  angle_ = kw.get_range("healthy_angle_range", angle);
  if (has_state_range_) state_ = kw.get_range("healthy_state_range", state_);
  skipped_qpos_ = kw.get_bool("exclude_current_positions_from_observation", true) ? 1 : 0;
  kw.finish();
  init_spaces(model()->nq - skipped_qpos_ + model()->nv);
}

void PlanarWalker::write_obs(float* obs) const {
  const mjData* d = data();
  for (int i = skipped_qpos_; i < model()->nq; ++i) *obs++ = static_cast<float>(d->qpos[i]);
  for (int i = 0; i < model()->nv; ++i) *obs++ = static_cast<float>(std::clamp(d->qvel[i], -10.0, 10.0));
}

bool PlanarWalker::healthy() const {
  const mjData* d = data();
  auto inside = [](double v, KwargReader::Range r) { return r.low < v && v < r.high; };
  if (!inside(d->qpos[1], z_) || !inside(d->qpos[2], angle_)) return false;
  if (!has_state_range_) return true;
  for (int i = 2; i < model()->nq; ++i)
    if (!inside(d->qpos[i], state_)) return false;
  for (int i = 0; i < model()->nv; ++i)
    if (!inside(d->qvel[i], state_)) return false;
  return true;
}

StepResult PlanarWalker::step(const void* action, std::byte* obs) {
  const double x_before = data()->qpos[0];
  if (!simulate(action)) return unstable(obs);
  const double x_velocity = (data()->qpos[0] - x_before) / dt();
  write_obs_bytes(obs);
  const bool is_healthy = healthy();
  const double reward = forward_weight_ * x_velocity + (is_healthy ? healthy_reward_ : 0.0) -
                        action_cost(ctrl_weight_);
  return {reward, !is_healthy && terminate_when_unhealthy_, false};
}

Hopper::Hopper(const EnvKwargs& kwargs) : Hopper(KwargReader("Hopper-v5", kwargs)) {}

Hopper::Hopper(KwargReader&& kw)
    : PlanarWalker(kw, {.env_id = "Hopper-v5", .xml_file = "hopper.xml", .frame_skip = 4,
                        .reset_noise_scale = 5e-3},
                   {0.7, INFINITY}, {-0.2, 0.2}, true) {}

Walker2d::Walker2d(const EnvKwargs& kwargs) : Walker2d(KwargReader("Walker2d-v5", kwargs)) {}

Walker2d::Walker2d(KwargReader&& kw)
    : PlanarWalker(kw, {.env_id = "Walker2d-v5", .xml_file = "walker2d_v5.xml", .frame_skip = 4,
                        .reset_noise_scale = 5e-3},
                   {0.8, 2.0}, {-1.0, 1.0}, false) {}

}  // namespace shmrl::envs::mujoco
