#include "actors/envs/mujoco/humanoid.h"

#include <algorithm>

namespace shmrl::envs::mujoco {

HumanoidBase::HumanoidBase(KwargReader& kw, Options defaults) : MujocoEnv(read_options(kw, std::move(defaults))) {
  skipped_qpos_ = kw.get_bool("exclude_current_positions_from_observation", true) ? 2 : 0;
  cinert_ = kw.get_bool("include_cinert_in_observation", true);
  cvel_ = kw.get_bool("include_cvel_in_observation", true);
  qfrc_actuator_ = kw.get_bool("include_qfrc_actuator_in_observation", true);
  cfrc_ext_ = kw.get_bool("include_cfrc_ext_in_observation", true);
  const int bodies = model()->nbody - 1;  // the world body is left out
  init_spaces(model()->nq - skipped_qpos_ + model()->nv + (cinert_ ? 10 * bodies : 0) +
              (cvel_ ? 6 * bodies : 0) + (qfrc_actuator_ ? model()->nv - 6 : 0) +
              (cfrc_ext_ ? 6 * bodies : 0));
}

void HumanoidBase::write_obs(float* obs) const {
  const mjData* d = data();
  const mjModel* m = model();
  auto copy = [&obs](const double* from, int n) {
    for (int i = 0; i < n; ++i) *obs++ = static_cast<float>(from[i]);
  };
  copy(d->qpos + skipped_qpos_, m->nq - skipped_qpos_);
  copy(d->qvel, m->nv);
  const int bodies = m->nbody - 1;
  if (cinert_) copy(d->cinert + 10, 10 * bodies);
  if (cvel_) copy(d->cvel + 6, 6 * bodies);
  if (qfrc_actuator_) copy(d->qfrc_actuator + 6, m->nv - 6);
  if (cfrc_ext_) copy(d->cfrc_ext + 6, 6 * bodies);
}

Humanoid::Humanoid(const EnvKwargs& kwargs) : Humanoid(KwargReader("Humanoid-v5", kwargs)) {}

Humanoid::Humanoid(KwargReader&& kw)
    : HumanoidBase(kw, {.env_id = "Humanoid-v5", .xml_file = "humanoid.xml", .frame_skip = 5,
                        .reset_noise_scale = 1e-2}) {
  forward_weight_ = kw.get_double("forward_reward_weight", 1.25, -1e6, 1e6);
  ctrl_weight_ = kw.get_double("ctrl_cost_weight", 0.1, -1e6, 1e6);
  contact_weight_ = kw.get_double("contact_cost_weight", 5e-7, -1e6, 1e6);
  contact_cost_range_ = kw.get_range("contact_cost_range", contact_cost_range_);
  healthy_reward_ = kw.get_double("healthy_reward", 5.0, -1e6, 1e6);
  terminate_when_unhealthy_ = kw.get_bool("terminate_when_unhealthy", true);
  z_ = kw.get_range("healthy_z_range", z_);
  kw.finish();
}

// Gymnasium's mass_center(): the body-mass-weighted mean of xipos (its x).
double Humanoid::mass_center_x() const {
  double num = 0, mass = 0;
  for (int b = 0; b < model()->nbody; ++b) {
    num += model()->body_mass[b] * data()->xipos[3 * b];
    mass += model()->body_mass[b];
  }
  return num / mass;
}

StepResult Humanoid::step(const void* action, std::byte* obs) {
  const double x_before = mass_center_x();
  if (!simulate(action)) return unstable(obs);
  const double x_velocity = (mass_center_x() - x_before) / dt();
  write_obs_bytes(obs);
  const double ctrl = ctrl_squared();
  const double contact_cost =
      std::clamp(contact_weight_ * contact_squared(), contact_cost_range_.low, contact_cost_range_.high);
  const double z = data()->qpos[2];
  const bool healthy = z_.low < z && z < z_.high;
  const double reward = forward_weight_ * x_velocity + (healthy ? healthy_reward_ : 0.0) -
                        (ctrl_weight_ * ctrl + contact_cost);
  return {reward, !healthy && terminate_when_unhealthy_, false};
}

HumanoidStandup::HumanoidStandup(const EnvKwargs& kwargs)
    : HumanoidStandup(KwargReader("HumanoidStandup-v5", kwargs)) {}

HumanoidStandup::HumanoidStandup(KwargReader&& kw)
    : HumanoidBase(kw, {.env_id = "HumanoidStandup-v5", .xml_file = "humanoidstandup.xml",
                        .frame_skip = 5, .reset_noise_scale = 1e-2}) {
  uph_weight_ = kw.get_double("uph_cost_weight", 1.0, -1e6, 1e6);
  ctrl_weight_ = kw.get_double("ctrl_cost_weight", 0.1, -1e6, 1e6);
  impact_weight_ = kw.get_double("impact_cost_weight", 0.5e-6, -1e6, 1e6);
  impact_cost_range_ = kw.get_range("impact_cost_range", impact_cost_range_);
  kw.finish();
}

StepResult HumanoidStandup::step(const void* action, std::byte* obs) {
  if (!simulate(action)) return unstable(obs);
  write_obs_bytes(obs);
  const double uph_cost = uph_weight_ * data()->qpos[2] / model()->opt.timestep;
  const double ctrl_cost = ctrl_weight_ * ctrl_squared();
  const double impact_cost =
      std::clamp(impact_weight_ * contact_squared(), impact_cost_range_.low, impact_cost_range_.high);
  return {uph_cost - ctrl_cost - impact_cost + 1, false, false};
}

}  // namespace shmrl::envs::mujoco
