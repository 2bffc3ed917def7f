#include "actors/envs/pendulum.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "actors/envs/obs.h"

namespace shmrl::envs {

namespace {
constexpr double kMaxSpeed = 8, kDt = 0.05, kM = 1.0, kL = 1.0;
constexpr float kMaxTorque = 2.0f;

// Python's ((x + pi) % (2 pi)) - pi: the modulo takes the sign of the divisor.
double angle_normalize(double x) {
  double m = std::fmod(x + M_PI, 2 * M_PI);
  if (m != 0 && m < 0) m += 2 * M_PI;
  return m - M_PI;
}
}  // namespace

Pendulum::Pendulum(const EnvKwargs& kwargs) {
  KwargReader kw("Pendulum-v1", kwargs);
  g_ = kw.get_double("g", 10.0, 0.0, 1000.0);
  kw.finish();
  obs_space_ = Space::box({3}, {-1, -1, -static_cast<float>(kMaxSpeed)},
                          {1, 1, static_cast<float>(kMaxSpeed)});
  action_space_ = Space::box({1}, {-kMaxTorque}, {kMaxTorque});
}

void Pendulum::write_obs(std::byte* obs) const {
  const double o[3] = {std::cos(s_[0]), std::sin(s_[0]), s_[1]};
  write_f32(obs, o);
}

void Pendulum::reset(uint64_t seed, std::byte* obs) {
  rng_.reseed(seed);
  s_[0] = rng_.uniform(-M_PI, M_PI);
  s_[1] = rng_.uniform(-1.0, 1.0);
  write_obs(obs);
}

StepResult Pendulum::step(const void* action, std::byte* obs) {
  const auto [th, thdot] = s_;
  // The action is float32 and numpy keeps the u terms in float32 (Python scalars are "weak").
  const float u = std::clamp(read_action<float>(action), -kMaxTorque, kMaxTorque);
  const double an = angle_normalize(th);
  const double costs = an * an + 0.1 * (thdot * thdot) + static_cast<double>(0.001f * (u * u));
  double newthdot =
      thdot + (3 * g_ / (2 * kL) * std::sin(th) + static_cast<double>(3.0f / float(kM * kL * kL) * u)) * kDt;
  newthdot = std::clamp(newthdot, -kMaxSpeed, kMaxSpeed);
  const double newth = th + newthdot * kDt;
  s_[0] = newth, s_[1] = newthdot;
  write_obs(obs);
  return {-costs, false, false};
}

std::vector<double> Pendulum::state() const { return {s_[0], s_[1]}; }

void Pendulum::set_state(std::span<const double> state, std::byte* obs) {
  if (state.size() != 2)
    throw std::invalid_argument("Pendulum-v1: set_state needs 2 values, got " +
                                std::to_string(state.size()));
  s_[0] = state[0], s_[1] = state[1];
  write_obs(obs);
}

}  // namespace shmrl::envs
