#include "actors/evaluator.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numeric>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/eval_channel.h"
#include "actors/greedy_eval.h"
#include "common/stats.h"
#include "common/stop_signal.h"
#include "common/toml_reader.h"

namespace shmrl::actors {
namespace {
using namespace std::chrono_literals;

namespace stat {
constexpr const char* kReady = "ready";
constexpr const char* kEvaluations = "evaluations";
constexpr const char* kFailures = "failures";
constexpr const char* kEnvSteps = "env_steps";
constexpr const char* kHeartbeat = "heartbeat";
}  // namespace stat

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the weights file " + path);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
  std::vector<std::byte> out(bytes.size());
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

double mean_of(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// One request of the run's launcher, answered. An env failure rebuilds the envs (a failure to
// rebuild them ends the process: the launcher restarts it).
EvalAnswer answer(GreedyEvaluator& ev, const EvalChannel& ch, const EvalRequest& req, StatsWriter& stats) {
  EvalAnswer a;
  const auto t0 = std::chrono::steady_clock::now();
  const double steps_before = stats[stat::kEnvSteps].load(std::memory_order_relaxed);
  try {
    if (req.episodes != ev.episodes())
      throw std::invalid_argument("a request for " + std::to_string(req.episodes) + " episodes; this evaluator runs " +
                                  std::to_string(ev.episodes()) + " (eval.episodes)");
    auto r = ev.run(req.weights, req.seed, [&] { return ch.cancelled(req.seq) || stop_requested(); },
                    [&](uint64_t steps) { stats.set(stat::kEnvSteps, steps_before + static_cast<double>(steps)); });
    a.status = EvalStatus::Ok;
    a.returns = std::move(r.returns);
    a.env_steps = r.env_steps;
    stats.add(stat::kEvaluations, 1);
    std::cerr << "evaluation " << req.seq << ": weights v" << req.weight_version << ", seeds " << req.seed << "+, mean "
              << mean_of(a.returns) << " over " << a.returns.size() << " episodes, " << a.env_steps << " env steps, "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
  } catch (const GreedyEvalCancelled&) {
    a.status = EvalStatus::Cancelled;
  } catch (const std::exception& e) {
    a.status = EvalStatus::Failed;
    a.error = e.what();
    stats.add(stat::kFailures, 1);
    std::cerr << "evaluation " << req.seq << " failed: " << e.what() << "; rebuilding the envs\n";
    ev.rebuild_envs();
  }
  return a;
}

int serve_run(const EvaluatorArgs& args, const ActorOptions& opts, int episodes) {
  if (args.owner_pid <= 0) throw std::invalid_argument("--owner-pid is required with --run-id");
  die_with_parent(SIGTERM, args.owner_pid);
  const RunContext run{args.run_id, ProcessId::of(args.owner_pid), args.run_dir};
  StatsWriter stats(run, seg::evaluator_stats(),
                    {stat::kReady, stat::kEvaluations, stat::kFailures, stat::kEnvSteps, stat::kHeartbeat});
  GreedyEvaluator ev(opts, episodes);
  stats.set(stat::kReady, 1);
  std::cerr << "evaluator: " << opts.env_id << ", " << episodes << " episodes per evaluation, run " << run.run_id
            << "\n";
  std::optional<EvalChannel> channel;
  while (!stop_requested()) {
    stats.add(stat::kHeartbeat, 1);
    if (!channel) {
      channel = EvalChannel::attach(run);
      if (!channel) {
        std::this_thread::sleep_for(50ms);
        continue;
      }
      channel->serve(getpid());
    }
    if (auto req = channel->next(100ms)) channel->reply(req->seq, answer(ev, *channel, *req, stats));
  }
  return 0;
}

int one_shot(const EvaluatorArgs& args, const ActorOptions& opts, int episodes) {
  GreedyEvaluator ev(opts, episodes);
  const auto weights = read_file(args.weights);
  auto r = ev.run(weights, args.seed, [] { return stop_requested(); }, [](uint64_t) {});
  std::ofstream out(args.out);
  out << nlohmann::json{{"returns", r.returns}, {"env_steps", r.env_steps}}.dump() << "\n";
  if (!out.flush()) throw std::runtime_error("cannot write " + args.out);
  return 0;
}

}  // namespace

int run_evaluator_process(const EvaluatorArgs& args) {
  install_stop_handlers({SIGTERM, SIGINT});
  try {
    const toml::table config = parse_toml_file(args.config);
    const ActorOptions opts = ActorOptions::from_toml(config, args.config);
    int64_t episodes = args.episodes;
    if (episodes == 0) TomlReader(config, args.config).get("eval.episodes", episodes);
    if (!args.run_id.empty()) return serve_run(args, opts, static_cast<int>(episodes));
    if (args.weights.empty() || args.out.empty())
      throw std::invalid_argument("give --run-id (serve a run) or --weights and --out (one evaluation)");
    return one_shot(args, opts, static_cast<int>(episodes));
  } catch (const GreedyEvalCancelled&) {
    std::cerr << "shmrl evaluator: stopped by a signal\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "shmrl evaluator: error: " << e.what() << "\n";
    return 1;
  }
}

void add_evaluator_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("evaluator", "Greedy evaluation of gym: envs in a process of its own (shmrl train "
                                              "starts it; shmrl eval runs it once)");
  auto a = std::make_shared<EvaluatorArgs>();
  cmd->add_option("--run-id", a->run_id, "Run to serve (omit: one evaluation of --weights)");
  cmd->add_option("--owner-pid", a->owner_pid, "Owner of the run's segments (the launcher)");
  cmd->add_option("--run-dir", a->run_dir, "Run directory");
  cmd->add_option("--config", a->config, "Configuration file (TOML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--episodes", a->episodes, "Episodes per evaluation (default: eval.episodes)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--weights", a->weights, "One-shot: weights blob file to evaluate")->check(CLI::ExistingFile);
  cmd->add_option("--seed", a->seed, "One-shot: seed of the first episode")->default_val(0);
  cmd->add_option("--out", a->out, "One-shot: where to write the returns (JSON)");
  cmd->callback([a] {
    if (const int rc = run_evaluator_process(*a); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace shmrl::actors
