#include "launch/evaluation.h"

#include <torch/torch.h>

#include <chrono>
#include <stdexcept>

#include "learner/evaluate.h"

namespace shmrl::launch {

namespace {
EvalStats to_stats(const learner::EvalResult& r) {
  return EvalStats{r.env_id,  r.env_kwargs, static_cast<int>(r.returns.size()),
                   r.mean,    r.std,        r.min,
                   r.max,     r.weight_version};
}
}  // namespace

std::optional<EvalStats> evaluate_board(const Config& config, const RunContext& run, uint64_t seed,
                                        const std::atomic<bool>* cancel) {
  auto r = learner::evaluate_weight_board(
      run, config.get_string("env.id"), config.get_string("learner.algorithm"),
      config.get_int_list("learner.hidden"),
      config.get_bool("learner.dueling"), static_cast<int>(config.get_int("eval.episodes")), seed,
      config.get_string_map("env.kwargs"), cancel);
  if (!r) return std::nullopt;
  return to_stats(*r);
}

EvalStats evaluate_checkpoint(const std::string& path, const std::string& env_id, int episodes,
                              uint64_t seed, const std::map<std::string, std::string>& kwarg_overrides) {
  return to_stats(learner::evaluate_checkpoint_file(path, env_id, episodes, seed, kwarg_overrides));
}

PeriodicEvaluator::PeriodicEvaluator(const Config& config, const RunContext& run)
    : config_(config), run_(run), period_s_(config.get_float("eval.period_s")) {
  // The launcher's only torch work is this evaluation: one intra-op thread, so it takes at most one
  // core from the actors and learners.
  torch::set_num_threads(1);
}

PeriodicEvaluator::~PeriodicEvaluator() {
  cancel();
  if (running_.valid()) running_.wait();
}

void PeriodicEvaluator::cancel() { cancel_.store(true, std::memory_order_relaxed); }

void PeriodicEvaluator::maybe_start(double now_s) {
  if (cancel_.load(std::memory_order_relaxed) || running_.valid() || now_s - last_start_s_ < period_s_) return;
  last_start_s_ = now_s;
  // Evaluation k uses seeds disjoint from the actors' (which derive theirs from run.seed and the
  // actor id): the greedy policy is scored on episodes it never trained on.
  uint64_t seed = (static_cast<uint64_t>(config_.get_int("run.seed")) << 32) + 1000003 * (++count_);
  running_ = std::async(std::launch::async,
                        [this, seed] { return evaluate_board(config_, run_, seed, &cancel_); });
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
