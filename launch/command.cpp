#include "launch/command.h"

#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "launch/evaluation.h"
#include "launch/stress.h"
#include "launch/stress_faults.h"
#include "launch/stress_fuzz.h"
#include "launch/fuzz_targets.h"
#include "launch/sweep.h"
#include "launch/top.h"
#include "launch/train.h"
#include "launch/train_options.h"

namespace shmrl::launch {

void add_train_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("train", "Train: start replay, learners and actors, supervise, stop cleanly");
  auto args = std::make_shared<TrainArgs>();
  add_train_options(*cmd, *args);
  cmd->callback([args] {
    if (int rc = run_train(*args); rc != 0) throw CLI::RuntimeError(rc);
  });
}

void add_eval_command(CLI::App& app) {
  struct EvalArgs {
    std::string checkpoint, env;
    std::vector<std::string> kwargs;
    int episodes = 20;
    uint64_t seed = 12345;
    double time_limit_s = 3600;
    bool json = false;
  };
  auto* cmd = app.add_subcommand("eval", "Greedy evaluation of a checkpoint: mean, std, min and max return");
  auto a = std::make_shared<EvalArgs>();
  cmd->add_option("--checkpoint", a->checkpoint, "Learner checkpoint file (runs/<run-id>/checkpoints/...)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--episodes", a->episodes, "Episodes to run")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--env", a->env, "Environment id (default: the one the checkpoint was trained on)");
  cmd->add_option("--kwarg", a->kwargs,
                  "NAME=VALUE env keyword argument, repeatable (default: the env.kwargs the checkpoint "
                  "was trained with, when evaluating on its env)");
  cmd->add_option("--seed", a->seed, "Seed of the first episode")->capture_default_str();
  cmd->add_option("--time-limit", a->time_limit_s,
                  "gym: envs: seconds the evaluator process may take (it runs the episodes through Python)")
      ->check(CLI::Range(1.0, 1e7))
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "Print one JSON object instead of text");
  cmd->callback([a] {
    EvalStats s;
    try {
      std::map<std::string, std::string> overrides;
      for (const std::string& kv : a->kwargs) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
          throw std::invalid_argument("--kwarg '" + kv + "': expected NAME=VALUE");
        overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
      s = evaluate_checkpoint(a->checkpoint, a->env, a->episodes, a->seed, overrides, a->time_limit_s);
    } catch (const std::exception& e) {
      std::cerr << "shmrl eval: " << e.what() << "\n";
      throw CLI::RuntimeError(1);
    }
    if (a->json) {
      nlohmann::ordered_json j{{"env", s.env_id}, {"env_kwargs", s.env_kwargs}, {"episodes", s.episodes},
                               {"mean", s.mean}, {"std", s.std}, {"min", s.min}, {"max", s.max}};
      std::cout << j.dump() << "\n";
    } else {
      std::string env = s.env_id;
      for (const auto& [k, v] : s.env_kwargs) env += " " + k + "=" + v;
      std::printf("%s: greedy return over %d episodes: mean %.2f, std %.2f, min %.2f, max %.2f\n",
                  env.c_str(), s.episodes, s.mean, s.std, s.min, s.max);
    }
  });
}

void add_top_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "top", "Live view of a running run: per process memory, rates, stage fractions, ring fill, policy lag; the bottleneck");
  auto a = std::make_shared<TopArgs>();
  cmd->add_option("run_dir", a->run_dir, "The run's directory (runs/<run-id>)")->required();
  cmd->add_flag("--once", a->once, "Print one frame (two snapshots --interval apart) and exit");
  cmd->add_option("--interval", a->interval_s, "Seconds between frames")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->callback([a] {
    if (int rc = run_top(*a); rc != 0) throw CLI::RuntimeError(rc);
  });
}

void add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "sweep", "Run every point of a sweep spec (TOML) as a real training run; write sweep.csv and sweep.json");
  auto a = std::make_shared<SweepArgs>();
  cmd->add_option("spec", a->spec, "Sweep spec, e.g. configs/sweeps/cartpole-scaling.toml")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", a->out_dir, "Output directory (default runs/sweeps/<spec name>-<UTC time>)");
  cmd->callback([a] {
    if (int rc = run_sweep(*a); rc != 0) throw CLI::RuntimeError(rc);
  });
}

void add_stress_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "stress", "Inject faults into real training runs on a seeded schedule; print a table and write stress.json");
  auto a = std::make_shared<StressArgs>();
  std::string known;
  for (const auto& n : scenario_names()) known += (known.empty() ? "" : ", ") + n;
  cmd->add_option("--scenario", a->scenarios, "Scenario(s) to run (repeatable or comma-separated): " + known)
      ->delimiter(',');
  auto all = std::make_shared<bool>(false);
  cmd->add_flag("--all", *all, "Run every scenario");
  cmd->add_option("--config", a->config, "TOML configuration file (default: configs/cartpole.toml)");
  cmd->add_option("--set", a->sets, "Override a config key for every run: section.key=value (repeatable)");
  cmd->add_option("--seed", a->seed, "Seed of the fault schedule and of the runs")->default_val(1);
  cmd->add_option("--duration", a->duration_s, "Seconds each run lasts (its time limit)")->default_val(60);
  cmd->add_option("--checkpoint-strikes", a->checkpoint_strikes,
                  "checkpoint-kill: SIGKILL the learner inside this many checkpoint writes")
      ->default_val(kCheckpointStrikes)
      ->check(CLI::Range(1, 10000));
  cmd->add_flag("!--no-baseline", a->baseline, "Skip the fault-free baseline run (no retained steps/s)");
  cmd->add_option("--out", a->out_dir, "Output directory (default runs/stress/<UTC time>)");
  std::string targets;
  for (const auto& n : fuzz_target_names()) targets += (targets.empty() ? "" : ", ") + n;
  cmd->add_option("--soak", a->soak_s, "Also run the soak: every fault at random for SECONDS, RSS and fd drift per process")
      ->check(CLI::Range(10.0, 604800.0));
  cmd->add_option("--fuzz", a->fuzz_s, "Instead of scenarios: fuzz each reader of untrusted bytes for SECONDS")
      ->check(CLI::Range(0.1, 86400.0));
  cmd->add_option("--fuzz-target", a->fuzz_targets, "Fuzz only these (comma-separated): " + targets)
      ->delimiter(',');
  cmd->callback([a, all] {
    if (a->fuzz_s > 0) {
      if (int rc = run_fuzz(*a); rc != 0) throw CLI::RuntimeError(rc);
      return;
    }
    if (*all) a->scenarios = scenario_names();
    if (a->scenarios.empty() && a->soak_s <= 0)
      throw CLI::ValidationError("--scenario", "give --scenario NAME, --all, --soak SECONDS or --fuzz SECONDS");
    if (int rc = run_stress(*a); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace shmrl::launch
