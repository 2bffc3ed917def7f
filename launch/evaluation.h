#pragma once
// Deterministic evaluation (greedy DQN, SAC's mean action, TD3 without noise) for the launcher: of
// the newest weights on a run's weight board, periodically while training, and of a checkpoint
// file for `shmrl eval`. The evaluation itself
// (policy, episodes, returns) is the learner's evaluation core, learner/evaluate.h; this file only
// adapts it to the launcher (config keys, seeds, a worker thread).
#include <atomic>
#include <cstdint>
#include <future>
#include <map>
#include <optional>
#include <string>

#include "common/run.h"
#include "launch/config.h"

namespace shmrl::launch {

struct EvalStats {
  std::string env_id;
  std::map<std::string, std::string> env_kwargs;
  int episodes = 0;
  double mean = 0, std = 0, min = 0, max = 0;
  uint64_t weight_version = 0;  // of the weights evaluated (0 for a checkpoint without one)
};

// Greedy returns of the weights newest on the run's weight board: config's [eval] episodes of
// env.id, seeded from `seed`. std::nullopt while nothing has been published. Throws
// std::runtime_error on failure (learner::EvalCancelled once `*cancel` is true). Any thread; builds
// its own network (CPU).
std::optional<EvalStats> evaluate_board(const Config& config, const RunContext& run, uint64_t seed,
                                        const std::atomic<bool>* cancel = nullptr);

// Greedy returns of a learner checkpoint on `env_id` ("" = the env it was trained on), built with
// the env kwargs of the checkpoint's run (for that env) and `kwarg_overrides` on top. Throws
// std::runtime_error naming the file if it is missing, truncated or does not match.
EvalStats evaluate_checkpoint(const std::string& path, const std::string& env_id, int episodes,
                              uint64_t seed,
                              const std::map<std::string, std::string>& kwarg_overrides = {});

// Runs evaluate_board every [eval] period_s in a worker thread, one at a time. Main thread only.
class PeriodicEvaluator {
 public:
  PeriodicEvaluator(const Config& config, const RunContext& run);
  ~PeriodicEvaluator();  // cancels an evaluation in flight and waits for it (milliseconds)

  // Cancels the evaluation in flight (it ends within milliseconds, its result an EvalCancelled)
  // and starts no more: every stop of the run calls this first, so no evaluation delays it.
  void cancel();

  // Starts an evaluation if none is running and the period has passed since the last start.
  void maybe_start(double now_s);
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
  std::atomic<bool> cancel_{false};
  std::future<std::optional<EvalStats>> running_;
};

}  // namespace shmrl::launch
