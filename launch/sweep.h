#pragma once
// `shmrl sweep SPEC.toml`: runs every point of a sweep spec (launch/sweep_spec.h) as a real
// `shmrl train`, one at a time, and writes <out>/sweep.csv and <out>/sweep.json: the point's axis
// values, env steps/s, updates/s, samples/s (steady state: from the first metrics row with learner
// updates to the last row before the stop), policy lag (mean), the bottleneck verdict and stage
// fractions over the run, private memory per role, and the time to target when the spec gives one.
// The runs themselves are in <out>/runs/<run-id>/. `./launch/sweep` also renders the plots
// (scripts/plot.py <out>). Launcher main thread.
#include <map>
#include <string>
#include <vector>

#include "launch/sweep_spec.h"

namespace shmrl::launch {

struct SweepArgs {
  std::string spec;     // the spec file
  std::string out_dir;  // "" = runs/sweeps/<spec name>-<UTC time>
};

struct PointResult {
  SweepPoint point;
  std::string run_id;
  int exit_code = 0;  // of `shmrl train` (0: stopped by its time limit, target or step cap)
  double wall_s = 0, env_steps = 0, updates = 0;
  double env_steps_per_s = 0, updates_per_s = 0, samples_per_s = 0, policy_lag = 0;
  bool solved = false;
  double time_to_target_s = 0;  // NaN unless solved
  std::string verdict, verdict_text;
  std::map<std::string, double> memory_mb;  // role -> the most private memory one process held, MiB
  std::map<std::string, double> stages;     // stage column (launch/stages.h) -> fraction over the run
};

// The figures of one finished run from its metrics.csv and summary.json. Throws std::runtime_error
// when either is missing or unreadable.
PointResult read_point_result(const std::string& run_dir, const SweepPoint& point);

// sweep.csv (one row per run) and sweep.json (the spec and every result) in out_dir. Throws
// std::runtime_error when they cannot be written.
void write_sweep_files(const std::string& out_dir, const SweepSpec& spec, const std::vector<PointResult>& results);

// Runs the sweep; prints one line per run and the table at the end. Returns 0 when every run
// finished (a run's own failure is recorded in its row and the sweep goes on), 2 for a bad spec,
// 128 + signal when stopped by SIGINT/SIGTERM (the run in flight is stopped cleanly).
int run_sweep(const SweepArgs& args);

}  // namespace shmrl::launch
