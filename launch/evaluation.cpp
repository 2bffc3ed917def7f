#include "launch/evaluation.h"

#include <chrono>
#include <stdexcept>

namespace shmrl::launch {

// TODO(issue 5): the evaluation core, learner/evaluate.h, is being written by the learner's
// author. Until it lands both functions fail loudly: training runs, but never reports an
// evaluation, so it cannot stop as solved.
std::optional<EvalStats> evaluate_board(const Config&, const RunContext&, uint64_t) {
  throw std::runtime_error("greedy evaluation is not available yet (learner/evaluate.h, issue 5)");
}

EvalStats evaluate_checkpoint(const std::string&, const std::string&, int, uint64_t) {
  throw std::runtime_error("greedy evaluation is not available yet (learner/evaluate.h, issue 5)");
}

PeriodicEvaluator::PeriodicEvaluator(const Config& config, const RunContext& run)
    : config_(config), run_(run), period_s_(config.get_float("eval.period_s")) {}

PeriodicEvaluator::~PeriodicEvaluator() {
  if (running_.valid()) running_.wait();
}

void PeriodicEvaluator::maybe_start(double now_s) {
  if (running_.valid() || now_s - last_start_s_ < period_s_) return;
  last_start_s_ = now_s;
  // Evaluation k uses seeds disjoint from the actors' (which derive theirs from run.seed and the
  // actor id): the greedy policy is scored on episodes it never trained on.
  uint64_t seed = (static_cast<uint64_t>(config_.get_int("run.seed")) << 32) + 1000003 * (++count_);
  running_ = std::async(std::launch::async, [this, seed] { return evaluate_board(config_, run_, seed); });
}

std::optional<EvalStats> PeriodicEvaluator::poll() {
  if (!running_.valid() || running_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return std::nullopt;
  }
  return running_.get();
}

std::optional<EvalStats> PeriodicEvaluator::wait() {
  if (!running_.valid()) return std::nullopt;
  return running_.get();
}

}  // namespace shmrl::launch
