#include "actors/envs/acrobot.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "actors/envs/obs.h"

namespace shmrl::envs {

namespace {
constexpr double kDt = 0.2;
constexpr double kL1 = 1.0, kM1 = 1.0, kM2 = 1.0, kLc1 = 0.5, kLc2 = 0.5, kI1 = 1.0, kI2 = 1.0;
constexpr double kG = 9.8;
constexpr double kMaxVel1 = 4 * M_PI, kMaxVel2 = 9 * M_PI;
constexpr double kTorque[3] = {-1.0, 0.0, 1.0};

// d/dt of [t1, t2, dt1, dt2] under torque a: the "book" variant of the equations of motion.
void dsdt(const double s[4], double a, double out[4]) {
  const double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
  const double d1 = kM1 * (kLc1 * kLc1) +
                    kM2 * (kL1 * kL1 + kLc2 * kLc2 + 2 * kL1 * kLc2 * std::cos(theta2)) + kI1 +
                    kI2;
  const double d2 = kM2 * (kLc2 * kLc2 + kL1 * kLc2 * std::cos(theta2)) + kI2;
  const double phi2 = kM2 * kLc2 * kG * std::cos(theta1 + theta2 - M_PI / 2.0);
  const double phi1 = -kM2 * kL1 * kLc2 * (dtheta2 * dtheta2) * std::sin(theta2) -
                      2 * kM2 * kL1 * kLc2 * dtheta2 * dtheta1 * std::sin(theta2) +
                      (kM1 * kLc1 + kM2 * kL1) * kG * std::cos(theta1 - M_PI / 2) + phi2;
  const double ddtheta2 =
      (a + d2 / d1 * phi1 - kM2 * kL1 * kLc2 * (dtheta1 * dtheta1) * std::sin(theta2) - phi2) /
      (kM2 * (kLc2 * kLc2) + kI2 - (d2 * d2) / d1);
  const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  out[0] = dtheta1, out[1] = dtheta2, out[2] = ddtheta1, out[3] = ddtheta2;
}

double wrap(double x, double m, double M) {
  const double diff = M - m;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}
}  // namespace

Acrobot::Acrobot(const EnvKwargs& kwargs) {
  KwargReader("Acrobot-v1", kwargs).finish();
  const float v1 = static_cast<float>(kMaxVel1), v2 = static_cast<float>(kMaxVel2);
  obs_space_ = Space::box({6}, {-1, -1, -1, -1, -v1, -v2}, {1, 1, 1, 1, v1, v2});
  action_space_ = Space::discrete(3);
}

void Acrobot::write_obs(std::byte* obs) const {
  const double o[6] = {std::cos(s_[0]), std::sin(s_[0]), std::cos(s_[1]),
                       std::sin(s_[1]), s_[2],           s_[3]};
  write_f32(obs, o);
}

void Acrobot::reset(uint64_t seed, std::byte* obs) {
  rng_.reseed(seed);
  for (double& v : s_) v = static_cast<float>(rng_.uniform(-0.1, 0.1));
  write_obs(obs);
}

StepResult Acrobot::step(const void* action, std::byte* obs) {
  const double torque = kTorque[read_action<int32_t>(action)];
  // One classical RK4 step over [0, dt], as Gymnasium's rk4() with t = [0, dt].
  constexpr double dt = kDt, dt2 = kDt / 2.0;
  double k1[4], k2[4], k3[4], k4[4], y[4];
  dsdt(s_, torque, k1);
  for (int i = 0; i < 4; ++i) y[i] = s_[i] + dt2 * k1[i];
  dsdt(y, torque, k2);
  for (int i = 0; i < 4; ++i) y[i] = s_[i] + dt2 * k2[i];
  dsdt(y, torque, k3);
  for (int i = 0; i < 4; ++i) y[i] = s_[i] + dt * k3[i];
  dsdt(y, torque, k4);
  double ns[4];
  for (int i = 0; i < 4; ++i)
    ns[i] = s_[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  s_[0] = wrap(ns[0], -M_PI, M_PI);
  s_[1] = wrap(ns[1], -M_PI, M_PI);
  s_[2] = std::min(std::max(ns[2], -kMaxVel1), kMaxVel1);
  s_[3] = std::min(std::max(ns[3], -kMaxVel2), kMaxVel2);
  write_obs(obs);

  StepResult r;
  r.terminated = -std::cos(s_[0]) - std::cos(s_[1] + s_[0]) > 1.0;
  r.reward = r.terminated ? 0.0 : -1.0;
  return r;
}

std::vector<double> Acrobot::state() const { return {s_[0], s_[1], s_[2], s_[3]}; }

void Acrobot::set_state(std::span<const double> state, std::byte* obs) {
  if (state.size() != 4)
    throw std::invalid_argument("Acrobot-v1: set_state needs 4 values, got " +
                                std::to_string(state.size()));
  for (int i = 0; i < 4; ++i) s_[i] = state[i];
  write_obs(obs);
}

}  // namespace shmrl::envs
