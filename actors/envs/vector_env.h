#pragma once
// E environments stepped together: what an actor steps, one call per vector step. Built-in envs
// step one by one in C++ (make_local_vector_env); `gym:` ids step as one Gymnasium vector env
// through the embedded Python bridge (actors/envs/gym/), one Python call per vector step.
//
// Autoreset is the caller's: step() leaves an ended episode's final observation in its row, and the
// caller resets the envs it chooses (those that ended) in one reset() call once it has used it.
// Observations are rows of observation_space().bytes() bytes; actions rows of
// action_space().bytes() (int32 for Discrete, float32 for Box).
//
// Threading: one thread at a time.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/envs/env.h"
#include "actors/envs/kwargs.h"

namespace shmrl::envs {

class VectorEnv {
 public:
  virtual ~VectorEnv() = default;
  virtual std::size_t size() const = 0;
  virtual const Space& observation_space() const = 0;
  virtual const Space& action_space() const = 0;
  // Resets every env e with mask[e] != 0 with seeds[e], writing its first observation into row e of
  // obs; other rows are untouched. Throws on an env failure (a Python exception: its traceback went
  // to stderr).
  virtual void reset(const uint8_t* mask, const uint64_t* seeds, std::byte* obs) = 0;
  // Steps every env (precondition: reset since its last episode end) with its row of actions; writes
  // the next observations and results[0..size). Throws on an env failure: then nothing of this
  // step is meaningful.
  virtual void step(const std::byte* actions, std::byte* obs, StepResult* results) = 0;
  // Benchmarks: the Python vector env's own stepping rate (env steps/s over `seconds`, random
  // actions, no copies into C++), on a fresh env (it leaves the env's state as it pleases);
  // 0 for a C++ vector.
  virtual double native_steps_per_s(double /*seconds*/) { return 0; }
};

// num_envs (>= 1) make_env(id, kwargs) envs stepped in a loop (built-in ids). Throws
// std::invalid_argument for an unknown id or bad kwargs. actors/vector_envs.h picks this or the
// Python bridge by id.
std::unique_ptr<VectorEnv> make_local_vector_env(const std::string& id, const EnvKwargs& kwargs,
                                                 std::size_t num_envs);

}  // namespace shmrl::envs
