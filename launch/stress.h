#pragma once
// `shmrl stress`: runs real training runs (`shmrl train`, the default config or --config) and injects
// faults on a seeded schedule that it prints first (launch/stress_faults.h), then prints one table and
// writes <out>/stress.json with, per scenario: faults injected, restarts per role, transitions
// committed by actors vs stored vs lost (summary.json's accounting), bad records injected vs dropped,
// shared-memory segments left behind, processes of the run left alive after it ended, recovery time
// (fault to a metrics row at >= 80 % of the baseline's env steps/s; the longest over the faults),
// env steps/s retained vs a fault-free baseline of the same length, and whether an evaluation
// reached the config's target return. Every run lasts --duration seconds (its time limit; its target
// return is lifted so that solving does not end it early). Launcher main thread.
#include <cstdint>
#include <string>
#include <vector>

namespace shmrl::launch {

struct StressArgs {
  std::string config;                  // "" = the default config
  std::vector<std::string> sets;       // --set overrides for every run
  std::vector<std::string> scenarios;  // names (launch/stress_faults.h); --all = every one
  uint64_t seed = 1;
  double duration_s = 60;
  bool baseline = true;                // run the fault-free baseline first (retained steps/s needs it)
  std::string out_dir;                 // "" = runs/stress/<UTC time>
  int checkpoint_strikes = 100;        // checkpoint-kill: kills inside checkpoint writes
  double soak_s = 0;                   // > 0: the soak scenario (launch/stress_soak.h) of this length
  double fuzz_s = 0;                   // > 0: fuzz instead (launch/stress_fuzz.h), seconds per target
  std::vector<std::string> fuzz_targets;  // "" = every one
};

// Returns 0 when every scenario met the zero targets (0 lost, 0 stored twice, 0 leaked segments,
// 0 processes left, every injected bad record dropped, every restart of checkpoint-kill loaded a
// checkpoint), 1 otherwise, 2 for bad arguments, 128 + signal when stopped.
int run_stress(const StressArgs& args);

}  // namespace shmrl::launch
