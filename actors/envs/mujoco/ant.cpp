#include "actors/envs/mujoco/ant.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace shmrl::envs::mujoco {

namespace {
// Gymnasium's data.body(main_body): an index, or a body name.
int body_id(const mjModel* m, const std::string& text) {
  std::size_t used = 0;
  int id = -1;
  try {
    id = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size()) id = mj_name2id(m, mjOBJ_BODY, text.c_str());
  if (id < 0 || id >= m->nbody)
    throw std::invalid_argument("Ant-v5: kwarg 'main_body' = '" + text + "' must be a body index in [0, " +
                                std::to_string(m->nbody - 1) + "] or a body name of the model");
  return id;
}
}  // namespace

Ant::Ant(const EnvKwargs& kwargs) : Ant(KwargReader("Ant-v5", kwargs)) {}

Ant::Ant(KwargReader&& kw)
    : MujocoEnv(read_options(kw, {.env_id = "Ant-v5",
                                  .xml_file = "ant.xml",
                                  .frame_skip = 5,
                                  .reset_noise_scale = 0.1,
                                  .velocity_noise = VelocityNoise::kNormal})) {
  forward_weight_ = kw.get_double("forward_reward_weight", 1.0, -1e6, 1e6);
  ctrl_weight_ = kw.get_double("ctrl_cost_weight", 0.5, -1e6, 1e6);
  contact_weight_ = kw.get_double("contact_cost_weight", 5e-4, -1e6, 1e6);
  healthy_reward_ = kw.get_double("healthy_reward", 1.0, -1e6, 1e6);
  main_body_ = body_id(model(), kw.get_string("main_body", "1"));
  terminate_when_unhealthy_ = kw.get_bool("terminate_when_unhealthy", true);
  z_ = kw.get_range("healthy_z_range", z_);
  contact_range_ = kw.get_range("contact_force_range", contact_range_);
  skipped_qpos_ = kw.get_bool("exclude_current_positions_from_observation", true) ? 2 : 0;
  include_cfrc_ext_ = kw.get_bool("include_cfrc_ext_in_observation", true);
  kw.finish();
  clipped_.assign(6 * model()->nbody, 0.0);
  init_spaces(model()->nq - skipped_qpos_ + model()->nv + (include_cfrc_ext_ ? 6 * (model()->nbody - 1) : 0));
}

double Ant::contact_force(int i) const {
  return std::clamp(data()->cfrc_ext[i], contact_range_.low, contact_range_.high);
}

void Ant::write_obs(float* obs) const {
  const mjData* d = data();
  for (int i = skipped_qpos_; i < model()->nq; ++i) *obs++ = static_cast<float>(d->qpos[i]);
  for (int i = 0; i < model()->nv; ++i) *obs++ = static_cast<float>(d->qvel[i]);
  if (include_cfrc_ext_)
    for (int i = 6; i < 6 * model()->nbody; ++i) *obs++ = static_cast<float>(contact_force(i));
}

StepResult Ant::step(const void* action, std::byte* obs) {
  const double x_before = data()->xpos[3 * main_body_];
  if (!simulate(action)) return unstable(obs);
  const double x_velocity = (data()->xpos[3 * main_body_] - x_before) / dt();
  write_obs_bytes(obs);
  double* clipped = clipped_.data();
  for (int i = 0; i < 6 * model()->nbody; ++i) clipped[i] = contact_force(i);
  const double contact = squared_sum(clipped, 6 * model()->nbody);
  // Finite: simulate() checked qpos and qvel.
  const bool healthy = z_.low <= data()->qpos[2] && data()->qpos[2] <= z_.high;
  const double reward = x_velocity * forward_weight_ + (healthy ? healthy_reward_ : 0.0) -
                        (action_cost(ctrl_weight_) + contact_weight_ * contact);
  return {reward, !healthy && terminate_when_unhealthy_, false};
}

}  // namespace shmrl::envs::mujoco
