#include "launch/remote_evaluation.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "launch/child.h"
#include "launch/supervisor.h"
#include "learner/evaluate.h"

namespace shmrl::launch {

RemoteEvaluation::RemoteEvaluation(const Config& config, const RunContext& run, std::function<pid_t()> evaluator_pid)
    : config_(config), run_(run), evaluator_pid_(std::move(evaluator_pid)) {}

bool RemoteEvaluation::start_board(uint64_t seed, double now_s, double env_steps) {
  if (busy()) throw std::logic_error("RemoteEvaluation::start_board: an evaluation is in flight");
  auto newest = learner::read_newest_weights(run_);
  if (!newest) return false;
  begin(std::make_shared<const std::vector<std::byte>>(std::move(newest->second)), newest->first, seed, now_s,
        env_steps, false);
  return true;
}

void RemoteEvaluation::start_weights(const EvalStats& earlier, uint64_t seed, double now_s, double env_steps) {
  if (busy() || !earlier.weights)
    throw std::logic_error("RemoteEvaluation::start_weights: an evaluation is in flight or no weights");
  begin(earlier.weights, earlier.weight_version, seed, now_s, env_steps, true);
}

void RemoteEvaluation::begin(std::shared_ptr<const std::vector<std::byte>> weights, uint64_t version, uint64_t seed,
                             double now_s, double env_steps, bool confirmation) {
  EvalStats e;
  e.weights = std::move(weights);
  e.weight_version = version;
  e.seed = seed;
  e.start_s = now_s;
  e.start_env_steps = env_steps;
  e.confirmation = confirmation;
  pending_ = std::move(e);
  seq_ = 0;
  cancelled_ = false;
  submit_if_served();
}

void RemoteEvaluation::submit_if_served() {
  if (!pending_ || seq_ != 0 || cancelled_) return;
  const pid_t pid = evaluator_pid_();
  if (pid == 0) return;
  const int episodes = static_cast<int>(config_.get_int("eval.episodes"));
  if (!channel_) channel_ = actors::EvalChannel::create(run_, pending_->weights->size(), episodes);
  if (channel_->server_pid() != pid) return;  // starting: it serves requests made after it attached
  seq_ = channel_->submit(pending_->seed, episodes, pending_->weight_version, *pending_->weights);
  submitted_to_ = pid;
}

std::optional<EvalStats> RemoteEvaluation::poll() {
  submit_if_served();
  if (!pending_ || seq_ == 0) return std::nullopt;
  auto answer = channel_->answer(seq_);
  if (!answer) {
    if (evaluator_pid_() == submitted_to_) return std::nullopt;
    const uint64_t version = pending_->weight_version;
    pending_.reset();
    throw std::runtime_error("the evaluator process (pid " + std::to_string(submitted_to_) +
                             ") ended during the evaluation of weights v" + std::to_string(version) +
                             "; it restarts (logs/evaluator.log says why)");
  }
  EvalStats e = std::move(*pending_);
  pending_.reset();
  if (answer->status == actors::EvalStatus::Cancelled) throw learner::EvalCancelled();
  if (answer->status != actors::EvalStatus::Ok)
    throw std::runtime_error("the evaluator failed on weights v" + std::to_string(e.weight_version) + ": " +
                             answer->error + " (logs/evaluator.log)");
  const learner::EvalResult r = learner::summarize_returns(std::move(answer->returns));
  e.env_id = config_.get_string("env.id");
  e.env_kwargs = config_.get_string_map("env.kwargs");
  e.episodes = static_cast<int>(r.returns.size());
  e.mean = r.mean, e.std = r.std, e.min = r.min, e.max = r.max;
  return e;
}

void RemoteEvaluation::cancel() {
  cancelled_ = true;
  if (channel_ && seq_ != 0) channel_->cancel(seq_);
}

std::optional<EvalStats> RemoteEvaluation::wait() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (pending_) {
    if (seq_ == 0) {  // never submitted: nothing will answer
      pending_.reset();
      return std::nullopt;
    }
    if (auto r = poll()) return r;
    if (std::chrono::steady_clock::now() >= deadline) {
      pending_.reset();
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

}  // namespace shmrl::launch

namespace shmrl::launch {
namespace {
namespace fs = std::filesystem;

// The evaluator's configuration for a checkpoint: its run's config.toml when there (python modules,
// torch threads), with the env and the network keys the checkpoint was built with.
Config checkpoint_config(const learner::CheckpointPolicy& p, const std::string& path, const std::string& env_id,
                         const std::map<std::string, std::string>& kwargs) {
  const fs::path run_config = fs::path(path).parent_path().parent_path() / "config.toml";
  Config c = fs::exists(run_config) ? Config::load(run_config.string()) : Config::defaults();
  auto quoted = [](std::string_view text) { return std::string(1, '"').append(text).append(1, '"'); };
  c.set("env.id", quoted(env_id));
  c.set("env.kwargs", "{}");
  for (const auto& [k, v] : kwargs) c.set("env.kwargs." + k, v);
  c.set("learner.algorithm", quoted(algorithm_name(p.algorithm)));
  c.set("learner.network", p.network == Network::NatureCnn ? "\"nature_cnn\"" : "\"mlp\"");
  if (!p.hidden.empty()) {
    std::string hidden;
    for (int64_t h : p.hidden) hidden += (hidden.empty() ? "[" : ", ") + std::to_string(h);
    c.set("learner.hidden", hidden + "]");
  }
  c.set("learner.dueling", p.dueling ? "true" : "false");
  return c;
}

void write_file(const fs::path& path, const void* data, std::size_t bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}
}  // namespace

EvalStats evaluate_gym_checkpoint(const std::string& path, const std::string& env_id, int episodes, uint64_t seed,
                                  const std::map<std::string, std::string>& kwarg_overrides, double time_limit_s) {
  learner::CheckpointPolicy p = learner::read_checkpoint_policy(path);
  const std::string id = env_id.empty() ? p.meta.env_id : env_id;
  std::map<std::string, std::string> kwargs;
  if (id == p.meta.env_id) kwargs.insert(p.meta.env_kwargs.begin(), p.meta.env_kwargs.end());
  for (const auto& [k, v] : kwarg_overrides) kwargs[k] = v;
  const Config config = checkpoint_config(p, path, id, kwargs);

  const fs::path dir = fs::temp_directory_path() / ("shmrl-eval-" + std::to_string(getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  const std::string toml = config.to_toml();
  write_file(dir / "config.toml", toml.data(), toml.size());
  write_file(dir / "weights.bin", p.weights.data(), p.weights.size());
  const std::string self = self_exe(), actor_exe = role_exe(self, "shmrl-actor");
  const fs::path log = dir / "evaluator.log", out = dir / "returns.json";
  Child child = Child::spawn(actor_exe.empty() ? self : actor_exe,
                             {"evaluator", "--config", (dir / "config.toml").string(), "--weights",
                              (dir / "weights.bin").string(), "--episodes", std::to_string(episodes), "--seed",
                              std::to_string(seed), "--out", out.string()},
                             log.string());
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(time_limit_s));
  if (!child.wait_until(deadline)) {
    child.signal_group(SIGKILL);
    child.wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    throw std::runtime_error("the evaluation of " + id + " did not finish within --time-limit " +
                             std::to_string(time_limit_s) + " s");
  }
  const int status = *child.poll();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("the evaluator process " + describe_wait_status(status) + "; its log ends:" +
                             tail_lines(log.string(), 12));
  std::ifstream in(out);
  const auto j = nlohmann::json::parse(in);
  learner::EvalResult r = learner::summarize_returns(j.at("returns").get<std::vector<double>>());
  EvalStats s;
  s.env_id = id;
  s.env_kwargs = kwargs;
  s.episodes = static_cast<int>(r.returns.size());
  s.mean = r.mean, s.std = r.std, s.min = r.min, s.max = r.max;
  s.weight_version = p.updates;
  s.seed = seed;
  return s;
}

}  // namespace shmrl::launch
