#include "actors/envs/cartpole.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "actors/envs/obs.h"

namespace shmrl::envs {

namespace {
constexpr double kGravity = 9.8, kMassCart = 1.0, kMassPole = 0.1;
constexpr double kTotalMass = kMassPole + kMassCart;
constexpr double kLength = 0.5;  // half the pole's length
constexpr double kPoleMassLength = kMassPole * kLength;
constexpr double kForceMag = 10.0, kTau = 0.02;
constexpr double kThetaThreshold = 12 * 2 * M_PI / 360;
constexpr double kXThreshold = 2.4;
}  // namespace

CartPole::CartPole(const EnvKwargs& kwargs) {
  KwargReader kw("CartPole-v1", kwargs);
  sutton_barto_reward_ = kw.get_bool("sutton_barto_reward", false);
  kw.finish();
  const float inf = std::numeric_limits<float>::infinity();
  const float hi[4] = {static_cast<float>(kXThreshold * 2), inf,
                       static_cast<float>(kThetaThreshold * 2), inf};
  obs_space_ = Space::box({4}, {-hi[0], -hi[1], -hi[2], -hi[3]}, {hi[0], hi[1], hi[2], hi[3]});
  action_space_ = Space::discrete(2);
}

void CartPole::write_obs(std::byte* obs) const { write_f32(obs, s_); }

void CartPole::reset(uint64_t seed, std::byte* obs) {
  rng_.reseed(seed);
  for (double& v : s_) v = rng_.uniform(-0.05, 0.05);
  terminated_before_ = false;
  write_obs(obs);
}

StepResult CartPole::step(const void* action, std::byte* obs) {
  auto [x, x_dot, theta, theta_dot] = s_;
  const double force = read_action<int32_t>(action) == 1 ? kForceMag : -kForceMag;
  const double costheta = std::cos(theta), sintheta = std::sin(theta);
  const double temp = (force + kPoleMassLength * (theta_dot * theta_dot) * sintheta) / kTotalMass;
  const double thetaacc =
      (kGravity * sintheta - costheta * temp) /
      (kLength * (4.0 / 3.0 - kMassPole * (costheta * costheta) / kTotalMass));
  const double xacc = temp - kPoleMassLength * thetaacc * costheta / kTotalMass;
  x = x + kTau * x_dot;
  x_dot = x_dot + kTau * xacc;
  theta = theta + kTau * theta_dot;
  theta_dot = theta_dot + kTau * thetaacc;
  s_[0] = x, s_[1] = x_dot, s_[2] = theta, s_[3] = theta_dot;
  write_obs(obs);

  StepResult r;
  r.terminated = x < -kXThreshold || x > kXThreshold || theta < -kThetaThreshold ||
                 theta > kThetaThreshold;
  if (!r.terminated) {
    r.reward = sutton_barto_reward_ ? 0.0 : 1.0;
  } else if (!terminated_before_) {
    terminated_before_ = true;
    r.reward = sutton_barto_reward_ ? -1.0 : 1.0;
  } else {  // stepping past the end: undefined in Gymnasium, which pays 0 (-1 for Sutton-Barto)
    r.reward = sutton_barto_reward_ ? -1.0 : 0.0;
  }
  return r;
}

std::vector<double> CartPole::state() const { return {s_[0], s_[1], s_[2], s_[3]}; }

void CartPole::set_state(std::span<const double> state, std::byte* obs) {
  if (state.size() != 4)
    throw std::invalid_argument("CartPole-v1: set_state needs 4 values, got " +
                                std::to_string(state.size()));
  for (int i = 0; i < 4; ++i) s_[i] = state[i];
  terminated_before_ = false;
  write_obs(obs);
}

}  // namespace shmrl::envs
