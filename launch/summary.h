#pragma once
// runs/<run-id>/summary.json, written once when the run has stopped:
//   {"env", "solved", "wall_seconds", "env_steps", "updates", "eval_return", "seed"}
// plus "run_id", "stop_reason" and "actor_restarts". eval_return is null before any evaluation.
// For a resumed run, wall_seconds and env_steps include the earlier sessions.
#include <cstdint>
#include <string>

namespace shmrl::launch {

struct RunSummary {
  std::string env;
  bool solved = false;
  double wall_seconds = 0;
  double env_steps = 0;
  double updates = 0;
  double eval_return = 0;  // NaN = no evaluation finished
  uint64_t seed = 0;
  std::string run_id;
  std::string stop_reason;
  int actor_restarts = 0;
};

// Writes `s` as JSON to path (via a temporary file and rename: never a half-written summary).
// Throws std::runtime_error if it cannot.
void write_summary(const std::string& path, const RunSummary& s);

}  // namespace shmrl::launch
