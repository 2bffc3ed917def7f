#include "actors/envs/mujoco/reacher.h"

#include <cmath>

namespace shmrl::envs::mujoco {

namespace {
// |com(a) - com(b)|, numpy's norm of the 3-vector.
double distance(const mjData* d, int a, int b) {
  double sq = 0;
  for (int k = 0; k < 3; ++k) {
    const double v = d->xpos[3 * a + k] - d->xpos[3 * b + k];
    sq += v * v;
  }
  return std::sqrt(sq);
}
}  // namespace

Reacher::Reacher(const EnvKwargs& kwargs) : Reacher(KwargReader("Reacher-v5", kwargs)) {}

Reacher::Reacher(KwargReader&& kw)
    : MujocoEnv(read_options(kw, {.env_id = "Reacher-v5",
                                  .xml_file = "reacher.xml",
                                  .frame_skip = 2,
                                  .max_episode_steps = 50,
                                  .noise_kwarg = false})) {
  dist_weight_ = kw.get_double("reward_dist_weight", 1.0, -1e6, 1e6);
  control_weight_ = kw.get_double("reward_control_weight", 1.0, -1e6, 1e6);
  kw.finish();
  fingertip_ = named_body("fingertip");
  target_ = named_body("target");
  init_spaces(4 + (model()->nq - 2) + 2 + 2);
}

void Reacher::add_reset_noise(Rng& rng, double* qpos, double* qvel) const {
  const int nq = model()->nq, nv = model()->nv;
  for (int i = 0; i < nq; ++i) qpos[i] += rng.uniform(-0.1, 0.1);
  double gx, gy;
  do {
    gx = rng.uniform(-0.2, 0.2);
    gy = rng.uniform(-0.2, 0.2);
  } while (std::sqrt(gx * gx + gy * gy) >= 0.2);
  qpos[nq - 2] = gx;
  qpos[nq - 1] = gy;
  for (int i = 0; i < nv; ++i) qvel[i] += rng.uniform(-0.005, 0.005);
  qvel[nv - 2] = qvel[nv - 1] = 0;
}

void Reacher::write_obs(float* obs) const {
  const mjData* d = data();
  for (int i = 0; i < 2; ++i) *obs++ = static_cast<float>(std::cos(d->qpos[i]));
  for (int i = 0; i < 2; ++i) *obs++ = static_cast<float>(std::sin(d->qpos[i]));
  for (int i = 2; i < model()->nq; ++i) *obs++ = static_cast<float>(d->qpos[i]);
  for (int i = 0; i < 2; ++i) *obs++ = static_cast<float>(d->qvel[i]);
  for (int k = 0; k < 2; ++k)
    *obs++ = static_cast<float>(d->xpos[3 * fingertip_ + k] - d->xpos[3 * target_ + k]);
}

StepResult Reacher::step(const void* action, std::byte* obs) {
  if (!simulate(action)) return unstable(obs);
  write_obs_bytes(obs);
  const double reward_dist = -distance(data(), fingertip_, target_) * dist_weight_;
  return {reward_dist - action_cost(control_weight_), false, false};
}

Pusher::Pusher(const EnvKwargs& kwargs) : Pusher(KwargReader("Pusher-v5", kwargs)) {}

Pusher::Pusher(KwargReader&& kw)
    : MujocoEnv(read_options(kw, {.env_id = "Pusher-v5",
                                  .xml_file = "pusher_v5.xml",
                                  .frame_skip = 5,
                                  .max_episode_steps = 100,
                                  .noise_kwarg = false})) {
  near_weight_ = kw.get_double("reward_near_weight", 0.5, -1e6, 1e6);
  dist_weight_ = kw.get_double("reward_dist_weight", 1.0, -1e6, 1e6);
  control_weight_ = kw.get_double("reward_control_weight", 0.1, -1e6, 1e6);
  kw.finish();
  tips_arm_ = named_body("tips_arm");
  object_ = named_body("object");
  goal_ = named_body("goal");
  init_spaces(7 + 7 + 9);
}

void Pusher::add_reset_noise(Rng& rng, double* qpos, double* qvel) const {
  const int nq = model()->nq, nv = model()->nv;
  double cx, cy;
  do {
    cx = rng.uniform(-0.3, 0.0);
    cy = rng.uniform(-0.2, 0.2);
  } while (std::sqrt(cx * cx + cy * cy) <= 0.17);
  qpos[nq - 4] = cx;
  qpos[nq - 3] = cy;
  qpos[nq - 2] = qpos[nq - 1] = 0;
  for (int i = 0; i < nv; ++i) qvel[i] += rng.uniform(-0.005, 0.005);
  for (int i = nv - 4; i < nv; ++i) qvel[i] = 0;
}

void Pusher::write_obs(float* obs) const {
  const mjData* d = data();
  for (int i = 0; i < 7; ++i) *obs++ = static_cast<float>(d->qpos[i]);
  for (int i = 0; i < 7; ++i) *obs++ = static_cast<float>(d->qvel[i]);
  for (int body : {tips_arm_, object_, goal_})
    for (int k = 0; k < 3; ++k) *obs++ = static_cast<float>(d->xpos[3 * body + k]);
}

StepResult Pusher::step(const void* action, std::byte* obs) {
  if (!simulate(action)) return unstable(obs);
  write_obs_bytes(obs);
  const double reward_near = -distance(data(), object_, tips_arm_) * near_weight_;
  const double reward_dist = -distance(data(), object_, goal_) * dist_weight_;
  return {reward_dist - action_cost(control_weight_) + reward_near, false, false};
}

}  // namespace shmrl::envs::mujoco
