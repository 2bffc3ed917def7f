#pragma once
// The environment interface, with Gymnasium's semantics: reset(seed) then step(action) until
// terminated (a true end: no bootstrap) or truncated (time limit: the final observation is real and
// learners bootstrap from it). Observations and actions are raw bytes laid out as their Space says.
//
// Threading: an Env instance is used by one thread at a time. Environments come from make_env
// (registry.h), which also applies the time limit; README.md shows how to add your own.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/spaces.h"

namespace shmrl::envs {

struct StepResult {
  double reward = 0;
  bool terminated = false;
  bool truncated = false;  // time limit reached (set by the TimeLimit logic, not the dynamics)
};

class Env {
 public:
  virtual ~Env() = default;
  virtual const Space& observation_space() const = 0;
  virtual const Space& action_space() const = 0;
  // Gymnasium's max_episode_steps for this id (0 = no limit).
  virtual int max_episode_steps() const = 0;
  // Starts an episode; writes the first observation into obs (observation_space().bytes()).
  // The initial state is a deterministic function of seed, drawn from Gymnasium's initial-state
  // distribution with the env's own RNG (not numpy's stream). Callers vary the seed per episode.
  virtual void reset(uint64_t seed, std::byte* obs) = 0;
  // Advances one step; writes the next observation. Preconditions: reset() was called; action is
  // in action_space() (callers check with Space::contains_action and report violations
  // themselves). The built-ins allocate nothing here (LunarLander: once Box2D's pools are warm).
  virtual StepResult step(const void* action, std::byte* obs) = 0;
  // The physical state (Gymnasium's env.unwrapped.state layout), for tests that start from a
  // recorded state. set_state also writes the matching observation into obs, and starts the
  // time limit's count afresh (the episode continues from that state as if just reset).
  virtual std::vector<double> state() const = 0;
  virtual void set_state(std::span<const double> state, std::byte* obs) = 0;
};

}  // namespace shmrl::envs
