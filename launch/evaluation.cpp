#include "launch/evaluation.h"

#include <torch/torch.h>

#include <chrono>
#include <stdexcept>

#include <toml++/toml.h>

#include "actors/envs/gym_spaces.h"
#include "launch/remote_evaluation.h"
#include "learner/checkpoint.h"
#include "learner/evaluate.h"
#include "learner/evaluated_policy.h"
#include "learner/options.h"

namespace shmrl::launch {

namespace {
EvalStats to_stats(const learner::EvalResult& r, uint64_t seed) {
  EvalStats s{r.env_id, r.env_kwargs, static_cast<int>(r.returns.size()), r.mean, r.std, r.min, r.max,
              r.weight_version};
  s.seed = seed;
  s.weights = r.weights;
  return s;
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
  return to_stats(*r, seed);
}

EvalStats evaluate_weights(const Config& config, std::shared_ptr<const std::vector<std::byte>> weights,
                           uint64_t weight_version, uint64_t seed, const std::atomic<bool>* cancel) {
  auto r = learner::evaluate_weights_blob(*weights, config.get_string("env.id"),
                                          config.get_string("learner.algorithm"),
                                          config.get_int_list("learner.hidden"), config.get_bool("learner.dueling"),
                                          static_cast<int>(config.get_int("eval.episodes")), seed,
                                          config.get_string_map("env.kwargs"), cancel);
  r.weight_version = weight_version;
  r.weights = std::move(weights);
  return to_stats(r, seed);
}

EvalStats evaluate_checkpoint(const std::string& path, const std::string& env_id, int episodes,
                              uint64_t seed, const std::map<std::string, std::string>& kwarg_overrides,
                              double time_limit_s) {
  if (envs::is_gym_id(env_id.empty() ? learner::peek_checkpoint(path).first.env_id : env_id))
    return evaluate_gym_checkpoint(path, env_id, episodes, seed, kwarg_overrides, time_limit_s);
  return to_stats(learner::evaluate_checkpoint_file(path, env_id, episodes, seed, kwarg_overrides), seed);
}

std::string save_evaluated_weights(const Config& config, const std::string& run_dir, const EvalStats& r) {
  if (!r.weights) throw std::runtime_error("save_evaluated_weights: the evaluation holds no weights");
  const auto o = learner::LearnerOptions::from_toml(toml::parse(config.to_toml()), "config");
  return learner::save_evaluated_weights(
      run_dir + "/checkpoints", o, *r.weights,
      learner::CheckpointCounters{r.weight_version, static_cast<uint64_t>(r.start_env_steps)});
}

PeriodicEvaluator::PeriodicEvaluator(const Config& config, const RunContext& run,
                                     std::function<pid_t()> evaluator_pid)
    : config_(config), run_(run), period_s_(config.get_float("eval.period_s")) {
  if (envs::is_gym_id(config.get_string("env.id")))
    remote_ = std::make_unique<RemoteEvaluation>(config, run, std::move(evaluator_pid));
  // The launcher's only torch work is this evaluation: one intra-op thread, so it takes at most one
  // core from the actors and learners.
  torch::set_num_threads(1);
}

PeriodicEvaluator::~PeriodicEvaluator() {
  cancel();
  if (running_.valid()) running_.wait();
}

void PeriodicEvaluator::cancel() {
  cancel_.store(true, std::memory_order_relaxed);
  if (remote_) remote_->cancel();
}

uint64_t PeriodicEvaluator::next_seed() {
  // Evaluation k uses seeds disjoint from the actors' (which derive theirs from run.seed and the
  // actor id): the greedy policy is scored on episodes it never trained on.
  return (static_cast<uint64_t>(config_.get_int("run.seed")) << 32) + 1000003 * (++count_);
}

void PeriodicEvaluator::maybe_start(double now_s, const std::function<double()>& current_env_steps) {
  if (cancel_.load(std::memory_order_relaxed) || running_.valid() || now_s - last_start_s_ < period_s_) return;
  if (remote_) {
    if (!remote_->busy() && remote_->start_board(next_seed(), now_s, current_env_steps())) last_start_s_ = now_s;
    return;
  }
  last_start_s_ = now_s;
  const double env_steps = current_env_steps();
  running_ = std::async(std::launch::async, [this, seed = next_seed(), now_s, env_steps] {
    auto r = evaluate_board(config_, run_, seed, &cancel_);
    if (r) r->start_s = now_s, r->start_env_steps = env_steps;
    return r;
  });
}

void PeriodicEvaluator::confirm(const EvalStats& earlier, double now_s, double env_steps) {
  if (running_.valid() || !earlier.weights || (remote_ && remote_->busy()))
    throw std::logic_error("PeriodicEvaluator::confirm: an evaluation is running or no weights");
  if (cancel_.load(std::memory_order_relaxed)) return;
  if (remote_) return remote_->start_weights(earlier, next_seed(), now_s, env_steps);
  running_ = std::async(std::launch::async, [this, seed = next_seed(), earlier, now_s, env_steps] {
    std::optional<EvalStats> r = evaluate_weights(config_, earlier.weights, earlier.weight_version, seed, &cancel_);
    r->start_s = now_s, r->start_env_steps = env_steps;
    r->confirmation = true;
    return r;
  });
}

std::optional<EvalStats> PeriodicEvaluator::poll() {
  if (remote_) return remote_->poll();
  if (!running_.valid() || running_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return std::nullopt;
  }
  return running_.get();
}

std::optional<EvalStats> PeriodicEvaluator::wait() {
  if (remote_) return remote_->wait();
  if (!running_.valid()) return std::nullopt;
  return running_.get();
}

}  // namespace shmrl::launch
