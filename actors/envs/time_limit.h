#pragma once
// Gymnasium's TimeLimit: after max_episode_steps() steps since reset (or set_state), step() sets
// truncated (and keeps doing so if stepped further). The observation written is the true final
// one, and `terminated` is left as the dynamics said: both may be set on the same step, and then
// terminated takes precedence for learners (no bootstrap). make_env applies it; envs built
// directly (CartPole{...}) have no limit.
#include <memory>
#include <utility>

#include "actors/envs/env.h"

namespace shmrl::envs {

// The counter both wrappers share. max <= 0: no limit.
struct StepLimit {
  int max = 0;
  int elapsed = 0;
  void restart() { elapsed = 0; }
  void apply(StepResult& r) {
    if (max > 0 && ++elapsed >= max) r.truncated = true;
  }
};

// For built-in (and user) env classes known at compile time: E::step is called non-virtually, so
// a step through make_env costs one virtual call. E needs a constructor taking Args.
template <class E>
class TimeLimited final : public E {
 public:
  template <class... Args>
  explicit TimeLimited(Args&&... args)
      : E(std::forward<Args>(args)...), limit_{E::max_episode_steps()} {}

  void reset(uint64_t seed, std::byte* obs) override {
    limit_.restart();
    E::reset(seed, obs);
  }
  StepResult step(const void* action, std::byte* obs) override {
    StepResult r = E::step(action, obs);
    limit_.apply(r);
    return r;
  }
  void set_state(std::span<const double> state, std::byte* obs) override {
    limit_.restart();
    E::set_state(state, obs);
  }

 private:
  StepLimit limit_;
};

// For envs registered through a plain factory: wraps any Env (two virtual calls per step).
class TimeLimit final : public Env {
 public:
  explicit TimeLimit(std::unique_ptr<Env> inner)
      : inner_(std::move(inner)), limit_{inner_->max_episode_steps()} {}

  const Space& observation_space() const override { return inner_->observation_space(); }
  const Space& action_space() const override { return inner_->action_space(); }
  int max_episode_steps() const override { return inner_->max_episode_steps(); }
  void reset(uint64_t seed, std::byte* obs) override {
    limit_.restart();
    inner_->reset(seed, obs);
  }
  StepResult step(const void* action, std::byte* obs) override {
    StepResult r = inner_->step(action, obs);
    limit_.apply(r);
    return r;
  }
  std::vector<double> state() const override { return inner_->state(); }
  void set_state(std::span<const double> state, std::byte* obs) override {
    limit_.restart();
    inner_->set_state(state, obs);
  }

 private:
  std::unique_ptr<Env> inner_;
  StepLimit limit_;
};

}  // namespace shmrl::envs
