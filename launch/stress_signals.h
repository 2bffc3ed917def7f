#pragma once
// `shmrl stress` scenario `launcher-signals`: one training run through several sessions, each ended
// by SIGINT, SIGTERM or SIGKILL to the launcher at a seeded phase (startup: before every process is
// ready; training; evaluation: after its first greedy evaluation, one runs every eval.period_s;
// checkpointing: learner checkpoints every 0.2 s), the next session started with --resume, and a
// last one that runs to its time limit. Figures: the longest time from a signal to the last process
// of the run gone (target <= 10 s), segments left after each session (a SIGKILLed launcher leaves
// them; the next start must remove them), processes left, sessions that resumed from a checkpoint,
// and the last session's transition accounting. Launcher main thread.
#include <cstdint>
#include <string>

#include "launch/stress.h"
#include "launch/stress_outcome.h"

namespace shmrl::launch {

inline constexpr double kSignalExitLimitS = 10;  // every process of the run gone this soon after a signal

// The schedule for `sessions` signalled sessions, drawn from seed: every phase and every signal
// occurs when sessions >= 4. The first session is never signalled at startup (a resume needs a
// checkpoint).
Scenario launcher_signals_scenario(int sessions, uint64_t seed);

// Runs it; out/runs/<run id> holds the run. `stamp` names the run id.
Outcome run_launcher_signals(const StressArgs& args, const Scenario& sc, const std::string& out,
                             const std::string& stamp);

}  // namespace shmrl::launch
