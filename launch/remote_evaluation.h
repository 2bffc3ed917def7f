#pragma once
// The launcher's side of gym: runs' greedy evaluation: requests to the evaluator process
// (actors/evaluator.h) over the run's eval channel (actors/eval_channel.h), answers back as
// EvalStats. PeriodicEvaluator (evaluation.h) uses it for gym: ids, so solve detection,
// confirmations, summary.json and metrics see the same results as for built-in envs.
//
// Nothing here blocks: a request waits for a serving evaluator (one that is starting or restarting
// gets it once it serves), an answer is polled. An evaluator that ends (crash, stall kill) with a
// request in flight fails that request, with a message naming the process and its log.
// Launcher main thread only.
#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/eval_channel.h"
#include "common/run.h"
#include "launch/config.h"
#include "launch/evaluation.h"

namespace shmrl::launch {

class RemoteEvaluation {
 public:
  // evaluator_pid(): the pid of the evaluator process the launcher runs now, 0 while none runs.
  RemoteEvaluation(const Config& config, const RunContext& run, std::function<pid_t()> evaluator_pid);

  // Whether an evaluation was started and its result not yet taken by poll()/wait().
  bool busy() const { return pending_.has_value(); }
  // Starts evaluating the board's newest weights from `seed`; false (nothing started) while nothing
  // is published. Precondition: !busy().
  bool start_board(uint64_t seed, double now_s, double env_steps);
  // Starts evaluating earlier.weights again from `seed` (a confirmation). Precondition: !busy().
  void start_weights(const EvalStats& earlier, uint64_t seed, double now_s, double env_steps);
  // The finished evaluation's result, once. Throws std::runtime_error when it failed (the evaluator's
  // error, or its process ended), learner::EvalCancelled when it was cancelled.
  std::optional<EvalStats> poll();
  // Cancels the evaluation in flight (the evaluator stops it within a vector step).
  void cancel();
  // poll() until a result, the evaluator's end or 2 s; nullopt then.
  std::optional<EvalStats> wait();

 private:
  // Makes these weights the evaluation in flight and submits it when an evaluator serves.
  void begin(std::shared_ptr<const std::vector<std::byte>> weights, uint64_t version, uint64_t seed, double now_s,
             double env_steps, bool confirmation);
  // Submits the pending request when an evaluator serves and it was not submitted yet.
  void submit_if_served();

  const Config& config_;
  RunContext run_;
  std::function<pid_t()> evaluator_pid_;
  std::optional<actors::EvalChannel> channel_;
  std::optional<EvalStats> pending_;  // the evaluation started (weights, seed, times), no result yet
  uint64_t seq_ = 0;                  // its request number once submitted (0: not yet)
  pid_t submitted_to_ = 0;            // the evaluator that took it
  bool cancelled_ = false;
};

// `shmrl eval` of a checkpoint on a gym: env: the checkpoint's acting network is read here (no
// Python in this process) and evaluated by a one-shot evaluator process (`shmrl-actor evaluator
// --weights ...`, the same code and protocol as a run's evaluator), with the kwargs the checkpoint
// was trained with (when env_id is its env) and kwarg_overrides on top; env.python_modules from the
// checkpoint's run (<run>/config.toml beside checkpoints/), when it is there. Waits at most
// time_limit_s for it (then kills it). Throws std::runtime_error with the evaluator's error and the
// end of its log, learner::CheckpointError for a bad checkpoint.
EvalStats evaluate_gym_checkpoint(const std::string& path, const std::string& env_id, int episodes, uint64_t seed,
                                  const std::map<std::string, std::string>& kwarg_overrides, double time_limit_s);

}  // namespace shmrl::launch
