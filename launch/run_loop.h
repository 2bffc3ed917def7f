#pragma once
// The supervision loop of `shmrl train`: start-up, periodic evaluation, metrics rows, the stall watch,
// the stop conditions and the stop sequence. Called only from the launcher's main thread.

#include <functional>
#include <limits>
#include <map>
#include <string>

#include "common/run.h"
#include "launch/config.h"
#include "launch/console.h"
#include "launch/metrics.h"
#include "launch/snapshot.h"
#include "launch/solve.h"
#include "launch/stages.h"
#include "launch/summary.h"
#include "launch/supervisor.h"
#include "launch/verdict.h"

namespace shmrl::launch {

enum class Outcome { Solved, TimeLimit, MaxSteps, Signal, Failure };


// Everything the supervision loop shares with the stop sequence.
struct RunState {
  explicit RunState(const Config& cfg)
      : solve(cfg.get_float("run.target_return"), static_cast<int>(cfg.get_int("run.confirm_evals"))) {}
  Outcome outcome = Outcome::Failure;
  std::string reason;
  SolveTracker solve;
  double solved_at_s = std::numeric_limits<double>::quiet_NaN();
  MetricsRow last;
  // Totals of the earlier sessions of a resumed run (from its summary.json): rows continue them.
  double earlier_wall_s = 0, earlier_env_steps = 0;
  bool started = false;  // every process became ready
  StartupTimes startup;
  BottleneckVerdict verdict;          // the bottleneck over the whole run (summary.json)
  StageFractions stages;    // what it judged
  std::map<std::string, RoleMemory> memory;  // per role, the most one process held
};

RestartCounts restart_counts(const Supervisor& sup);

// SIGTERM to every child, SIGKILL after run.stop_grace_s, or at once on a further stop signal
// (a second Ctrl-C forces the stop).
void stop_children_of(Supervisor& sup, const Config& cfg, Console& console);

// Starts every child, then supervises until a stop condition and stops them; fills `st`. `elapsed`:
// seconds since the exec of `shmrl train`. Throws on start-up failures (the caller stops the children).
void supervise(const Config& cfg, const RunContext& run, Supervisor& sup, Console& console,
               const std::function<double()>& elapsed, RunState& st);

}  // namespace shmrl::launch
