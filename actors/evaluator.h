#pragma once
// `shmrl evaluator`: the greedy evaluation of gym: envs in a process of its own (the launcher, which
// forks its children, never starts a Python interpreter; an evaluator embeds one and LibTorch, as an
// actor does). Two modes:
//   * for a run (--run-id): started and supervised by `shmrl train` like any child, it stays up for
//     the run (Python and the envs' start-up paid once), answers the launcher's requests on the eval
//     channel (eval_channel.h) with GreedyEvaluator (greedy_eval.h), and publishes
//     seg::evaluator_stats() (ready, evaluations, failures, env_steps and a heartbeat that changes
//     every 100 ms while it waits, so the launcher's stall watch tells waiting from hung).
//   * one-shot (--weights): evaluates one weights blob and writes the returns as JSON (--out): what
//     `shmrl eval` of a gym: checkpoint runs.
// A failed evaluation (a Python exception in an episode) is answered as failed, with the error; the
// envs are then rebuilt and the process goes on.
#include <sys/types.h>

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace shmrl::actors {

struct EvaluatorArgs {
  std::string run_id;   // the run to serve; "" = one-shot
  pid_t owner_pid = 0;  // the launcher; required with run_id
  std::string run_dir;
  std::string config;   // TOML: [env], [learner] network keys, [eval] episodes
  int episodes = 0;     // 0 = eval.episodes of the config
  // One-shot mode.
  std::string weights;  // a weights blob file (models/weights_blob.h)
  uint64_t seed = 0;    // of episode 0 (episode i: seed + i)
  std::string out;      // JSON: {"returns": [...], "env_steps": n}
};

// Runs the evaluator until SIGTERM/SIGINT or its parent's death (run mode) or its one evaluation
// (one-shot). Returns 0 after a clean stop or a written result, 1 on an error (stderr says what).
int run_evaluator_process(const EvaluatorArgs& args);

// Registers `evaluator` on app (shmrl, shmrl-actor, the launcher's fork entry).
void add_evaluator_command(CLI::App& app);

}  // namespace shmrl::actors
