#pragma once
// Deterministic evaluation (greedy DQN, SAC's mean action, TD3 without noise) for the launcher: of
// the newest weights on a run's weight board, periodically while training, and of a checkpoint
// file for `shmrl eval`. The evaluation itself
// (policy, episodes, returns) is the learner's evaluation core, learner/evaluate.h; this file only
// adapts it to the launcher (config keys, seeds, a worker thread).
#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <sys/types.h>
#include <string>
#include <vector>

#include "common/run.h"
#include "launch/config.h"

namespace shmrl::launch {

struct EvalStats {
  std::string env_id;
  std::map<std::string, std::string> env_kwargs;
  int episodes = 0;
  double mean = 0, std = 0, min = 0, max = 0;
  uint64_t weight_version = 0;  // of the weights evaluated (0 for a checkpoint without one)
  uint64_t seed = 0;            // of the first episode (episode i: seed + i)
  // Board evaluations: the weights blob evaluated, to evaluate again or save; null otherwise.
  std::shared_ptr<const std::vector<std::byte>> weights;
  // Set by PeriodicEvaluator: run seconds and the run's env steps when it started, and whether it
  // re-evaluated earlier weights (a confirmation) rather than the board's newest.
  double start_s = 0, start_env_steps = 0;
  bool confirmation = false;
};

// Greedy returns of the weights newest on the run's weight board: config's [eval] episodes of
// env.id, seeded from `seed`. std::nullopt while nothing has been published. Throws
// std::runtime_error on failure (learner::EvalCancelled once `*cancel` is true). Any thread; builds
// its own network (CPU).
std::optional<EvalStats> evaluate_board(const Config& config, const RunContext& run, uint64_t seed,
                                        const std::atomic<bool>* cancel = nullptr);

// Greedy returns of a weights blob (as on the board) in the network config's [learner] keys build:
// config's [eval] episodes of env.id from `seed`. Throws std::invalid_argument if it does not fit.
EvalStats evaluate_weights(const Config& config, std::shared_ptr<const std::vector<std::byte>> weights,
                           uint64_t weight_version, uint64_t seed,
                           const std::atomic<bool>* cancel = nullptr);

// Greedy returns of a learner checkpoint on `env_id` ("" = the env it was trained on), built with
// the env kwargs of the checkpoint's run (for that env) and `kwarg_overrides` on top. A gym: env is
// evaluated by a one-shot evaluator process (remote_evaluation.h; ALE ids under the evaluation
// protocol), killed after time_limit_s. Throws std::runtime_error naming the file if it is missing,
// truncated or does not match.
EvalStats evaluate_checkpoint(const std::string& path, const std::string& env_id, int episodes,
                              uint64_t seed,
                              const std::map<std::string, std::string>& kwarg_overrides = {},
                              double time_limit_s = 3600);

// Saves a board evaluation's weights (r.weights, version r.weight_version) as the run's final
// checkpoint and policy.pt/policy.json in <run_dir>/checkpoints (learner/evaluated_policy.h).
// Returns the checkpoint's path. Only once the learners have stopped. Throws std::runtime_error.
std::string save_evaluated_weights(const Config& config, const std::string& run_dir, const EvalStats& r);

class RemoteEvaluation;

// Runs evaluate_board every [eval] period_s in a worker thread, one at a time, and confirmations
// (evaluate_weights of earlier results) on request. Every evaluation gets seeds of its own, disjoint
// from the actors'. gym: envs are evaluated the same way by the run's evaluator process instead
// (remote_evaluation.h). Main thread only.
class PeriodicEvaluator {
 public:
  // evaluator_pid: for a gym: env, the pid of the evaluator process the launcher runs now (0 while
  // none runs); unused for built-in envs.
  PeriodicEvaluator(const Config& config, const RunContext& run, std::function<pid_t()> evaluator_pid = {});
  ~PeriodicEvaluator();  // cancels an evaluation in flight and waits for it (milliseconds)

  // Cancels the evaluation in flight (it ends within milliseconds, its result an EvalCancelled)
  // and starts no more: every stop of the run calls this first, so no evaluation delays it.
  void cancel();

  // Starts an evaluation if none is running and the period has passed since the last start.
  // now_s and env_steps(): the run's, recorded in the result; env_steps is called only when an
  // evaluation starts (it reads every actor's stats), so the count is current, not a metrics row's.
  void maybe_start(double now_s, const std::function<double()>& env_steps);
  // Starts evaluating `earlier`'s weights again, on fresh seeds. Requires that none is running and
  // that earlier.weights is set (a board evaluation).
  void confirm(const EvalStats& earlier, double now_s, double env_steps);
  // The result of a finished evaluation, once (nullopt if none finished or nothing was
  // published yet). Rethrows its exception.
  std::optional<EvalStats> poll();
  // Waits for an evaluation in flight and returns its result (as poll()).
  std::optional<EvalStats> wait();

 private:
  const Config& config_;
  RunContext run_;
  double period_s_;
  double last_start_s_ = -1e300;
  uint64_t count_ = 0;
  uint64_t next_seed();
  std::atomic<bool> cancel_{false};
  std::future<std::optional<EvalStats>> running_;
  std::unique_ptr<RemoteEvaluation> remote_;  // gym: envs
};

}  // namespace shmrl::launch
