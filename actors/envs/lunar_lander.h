#pragma once
// LunarLander-v3 (Gymnasium 1.x box2d/lunar_lander.py) on Box2D 2.4 (Debian's libbox2d): the
// same world (terrain of 10 edges with a flat helipad, a 6-vertex lander with two legs on motorised
// revolute joints), engine impulses with the same random dispersion, observation, shaping reward,
// fuel costs, and termination (+100 when the lander sleeps, -100 on a body contact or |x| >= 1);
// 1000-step limit via make_env. reset() ends with one no-op step, as Gymnasium's does.
//
// Kwargs: continuous (bool, default false: Discrete(4) noop/left/main/right; true: Box(-1, 1, (2,))
// main throttle and lateral), gravity (-12, 0) default -10, enable_wind (bool, default false),
// wind_power [0, 20] default 15, turbulence_power [0, 2] default 1.5.
// Observation Box(8,) float32 [x, y, vx, vy, angle, angular velocity, left leg contact, right leg].
//
// Gymnasium draws the terrain, the initial push and every engine dispersion from its numpy
// generator; this env uses its own Rng (same distributions), unless script_draws() supplies the
// exact values (tests replay Gymnasium's recorded draws that way). Box2D 2.4 differs numerically
// from pybox2d's 2.3, so trajectories agree closely but not bit for bit (see tests/envs).
//
// Cost: reset() builds a fresh b2World (a few allocations); step() is one Box2D step (180
// velocity / 60 position iterations) and allocates nothing after Box2D's pools have warmed up.
#include <memory>

#include "actors/envs/env.h"
#include "actors/envs/kwargs.h"
#include "actors/envs/rng.h"

class b2World;
class b2Body;

namespace shmrl::envs {

class LunarLander : public Env {
 public:
  static constexpr int kMaxEpisodeSteps = 1000;
  explicit LunarLander(const EnvKwargs& kwargs = {});
  ~LunarLander() override;

  const Space& observation_space() const override { return obs_space_; }
  const Space& action_space() const override { return action_space_; }
  int max_episode_steps() const override { return kMaxEpisodeSteps; }
  void reset(uint64_t seed, std::byte* obs) override;
  StepResult step(const void* action, std::byte* obs) override;
  // After reset(). [x, y, angle, vx, vy, angular velocity] of the lander, then of the left and the right leg
  // (Box2D world units), then left contact, right contact, game over, previous shaping: 22 values.
  std::vector<double> state() const override;
  // Sets the bodies' poses and velocities and the flags (after reset(), which built the terrain).
  // Box2D re-evaluates contacts at the next step.
  void set_state(std::span<const double> state, std::byte* obs) override;

  // The values to return, in order, instead of drawing from the env's Rng: each uniform draw
  // (terrain heights, initial force, engine dispersion in [-1, 1]) and each integer draw (wind
  // indices), as Gymnasium's np_random produced them. Once they run out the Rng takes over.
  void script_draws(std::vector<double> draws);

 private:
  struct Contacts;
  double draw(double low, double high);
  StepResult advance(double main_throttle, double lateral, std::byte* obs);
  void build_world();
  void observe(double s[8]) const;  // Gymnasium's state vector from the bodies and contacts

  bool continuous_ = false, enable_wind_ = false;
  double gravity_ = -10, wind_power_ = 15, turbulence_power_ = 1.5;
  Space obs_space_, action_space_;
  Rng rng_;
  std::vector<double> script_;
  std::size_t script_pos_ = 0;

  std::unique_ptr<Contacts> contacts_;  // the world's contact listener: game over, leg contacts
  std::unique_ptr<b2World> world_;
  b2Body* lander_ = nullptr;
  b2Body* legs_[2] = {nullptr, nullptr};
  double helipad_y_ = 0, prev_shaping_ = 0;
  bool has_prev_shaping_ = false;
  int64_t wind_idx_ = 0, torque_idx_ = 0;
};

}  // namespace shmrl::envs
