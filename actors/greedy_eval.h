#pragma once
// Greedy evaluation in an actor-like process: the episodes of one evaluation step together in one
// vector env (actors/vector_envs.h: for gym: ids the Python bridge, built with the evaluation
// protocol), one env per episode, with the actors' own network in deterministic mode (DQN greedy,
// SAC's mean action, TD3 without noise) and one batched forward per vector step. What the evaluator
// process (evaluator.h) runs for `shmrl train` and `shmrl eval` of gym: envs; the launcher evaluates
// built-in envs in-process (learner/evaluate.h) with the same networks and the same seeds.
//
// Threading: one thread. Torch-free header.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "actors/envs/vector_env.h"
#include "actors/options.h"
#include "actors/policy.h"

namespace shmrl::actors {

// An evaluation stopped by its cancel check.
class GreedyEvalCancelled : public std::runtime_error {
 public:
  GreedyEvalCancelled() : std::runtime_error("evaluation cancelled") {}
};

struct GreedyEvalResult {
  std::vector<double> returns;  // one per episode: episode i reset with seed + i
  uint64_t env_steps = 0;       // steps of the counted episodes
};

class GreedyEvaluator {
 public:
  // `episodes` (>= 1) envs of opts.env_id (kwargs, python modules) under the evaluation protocol and
  // the deterministic policy of opts' algorithm and network for them. Throws std::invalid_argument
  // (unknown id, bad kwargs, an algorithm that does not fit), std::runtime_error when Python fails to
  // build the env. Cost: the env's start-up (a second for Python, more for many ALE envs).
  GreedyEvaluator(const ActorOptions& opts, int episodes);

  int episodes() const { return episodes_; }
  // Loads `weights` (a weights blob as on the board) and runs one episode per env, episode i from
  // seed + i, until every one has ended. cancelled() is checked before each vector step (throws
  // GreedyEvalCancelled), tick(env_steps so far) called after each. Throws std::invalid_argument if
  // the blob does not fit the network, and what the envs throw (a Python exception: its traceback
  // went to stderr; call rebuild_envs() before evaluating again). O(longest episode) vector steps.
  GreedyEvalResult run(std::span<const std::byte> weights, uint64_t seed, const std::function<bool()>& cancelled,
                       const std::function<void(uint64_t)>& tick);
  // Replaces the envs with fresh ones (after an env failure left them in an unknown state).
  void rebuild_envs();

 private:
  ActorOptions opts_;
  int episodes_;
  std::unique_ptr<envs::VectorEnv> envs_;
  std::unique_ptr<Policy> policy_;
  std::vector<std::byte> actions_;
  std::vector<envs::StepResult> results_;
};

}  // namespace shmrl::actors
