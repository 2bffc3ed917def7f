#include "actors/envs/mountain_car.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "actors/envs/obs.h"

namespace shmrl::envs {

namespace {
constexpr double kMinPosition = -1.2, kMaxPosition = 0.6, kMaxSpeed = 0.07, kGoalPosition = 0.5;
constexpr double kForce = 0.001, kGravity = 0.0025;
}  // namespace

MountainCar::MountainCar(const EnvKwargs& kwargs) {
  KwargReader kw("MountainCar-v0", kwargs);
  goal_velocity_ = kw.get_double("goal_velocity", 0.0, -kMaxSpeed, kMaxSpeed);
  kw.finish();
  obs_space_ = Space::box({2}, {static_cast<float>(kMinPosition), static_cast<float>(-kMaxSpeed)},
                          {static_cast<float>(kMaxPosition), static_cast<float>(kMaxSpeed)});
  action_space_ = Space::discrete(3);
}

void MountainCar::write_obs(std::byte* obs) const { write_f32(obs, s_); }

void MountainCar::reset(uint64_t seed, std::byte* obs) {
  rng_.reseed(seed);
  s_[0] = rng_.uniform(-0.6, -0.4);
  s_[1] = 0;
  write_obs(obs);
}

StepResult MountainCar::step(const void* action, std::byte* obs) {
  auto [position, velocity] = s_;
  const int32_t a = read_action<int32_t>(action);
  velocity += (a - 1) * kForce + std::cos(3 * position) * (-kGravity);
  velocity = std::clamp(velocity, -kMaxSpeed, kMaxSpeed);
  position += velocity;
  position = std::clamp(position, kMinPosition, kMaxPosition);
  if (position == kMinPosition && velocity < 0) velocity = 0;
  s_[0] = position, s_[1] = velocity;
  write_obs(obs);

  StepResult r;
  r.terminated = position >= kGoalPosition && velocity >= goal_velocity_;
  r.reward = -1.0;
  return r;
}

std::vector<double> MountainCar::state() const { return {s_[0], s_[1]}; }

void MountainCar::set_state(std::span<const double> state, std::byte* obs) {
  if (state.size() != 2)
    throw std::invalid_argument("MountainCar-v0: set_state needs 2 values, got " +
                                std::to_string(state.size()));
  s_[0] = state[0], s_[1] = state[1];
  write_obs(obs);
}

}  // namespace shmrl::envs
