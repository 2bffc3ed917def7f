#pragma once
// What every process of one run shares: the run id (segment names), the owner process (the launcher;
// segments die with it) and the run directory (config, logs, metrics, checkpoints).
#include <string>

#include "common/proc.h"

namespace shmrl {

struct RunContext {
  std::string run_id;   // [A-Za-z0-9-]
  ProcessId owner;      // owner of the run's segments (launcher, or the process itself standalone)
  std::string run_dir;  // runs/<run_id>
};

// Segment names inside a run: one place, so no process spells them differently.
namespace seg {
inline std::string actor_ring(int actor) { return "actor" + std::to_string(actor) + "-ring"; }
inline std::string actor_stats(int actor) { return "actor" + std::to_string(actor) + "-stats"; }
inline std::string weights() { return "weights"; }
inline std::string replay_storage() { return "replay-storage"; }
inline std::string replay_stats() { return "replay-stats"; }
inline std::string learner_batches(int rank) { return "learner" + std::to_string(rank) + "-batches"; }
inline std::string learner_priorities(int rank) {
  return "learner" + std::to_string(rank) + "-prio";
}
inline std::string learner_stats(int rank) { return "learner" + std::to_string(rank) + "-stats"; }
// gym: runs: the launcher's requests to the evaluator process and its answers; its stats.
inline std::string eval_channel() { return "eval-channel"; }
inline std::string evaluator_stats() { return "evaluator-stats"; }
}  // namespace seg

}  // namespace shmrl
