#pragma once
// The replay service as a process: what `shmrl replay` runs, and what tests run in a forked child.
#include <chrono>

#include "common/run.h"
#include "common/schema.h"
#include "replay/options.h"

namespace shmrl::replay {

// Builds a ReplayService, starts it and serves until SIGTERM or SIGINT (blocked in every thread of
// the process and taken with sigtimedwait, so a signal never interrupts a commit), or until the
// run's owner process dies. Every `tick` it publishes stats, and writes periodic checkpoints when
// replay.checkpoint_period_s > 0; at the end it stops the threads, writes a final checkpoint when
// replay.checkpoint_on_exit, and unmaps (the storage segment stays for a restart; the launcher
// removes the run's segments). Readiness: stat "ready" = 1 in seg::replay_stats() and the line
// "replay: ready ..." on stdout. Returns 0 after a clean stop, 1 after a setup or runtime error
// (message on stderr, prefixed "replay: ").
int run_replay_process(const RunContext& run, const ReplayOptions& opts, const TransitionSchema& schema,
                       std::chrono::milliseconds tick = std::chrono::milliseconds(100));

}  // namespace shmrl::replay
