#pragma once
// runs/<run-id>/summary.json, written once when the run has stopped:
//   {"env", "solved", "wall_seconds", "env_steps", "updates", "eval_return", "seed", "run_id",
//    "stop_reason", "actor_restarts", "eval_episodes", "confirm_evals", "claim", "solve",
//    "evaluations", "startup"}
// solved is true only when the run stopped because its weights passed (confirmations included);
// then eval_return is the passing evaluation's mean and "solve" says when (seconds, env steps of
// the run when that evaluation started, weight version = learner updates) and which checkpoint
// holds those weights; otherwise eval_return is the latest evaluation's mean (null before any) and
// "solve" is null. "claim" is "weak" when eval_episodes < 10 (few episodes: a noisy mean), else
// "ok". "evaluations" lists the latest SolveTracker::kKept (1000) evaluations: time, env steps,
// weight version, seed, episodes, mean, std, whether it confirmed earlier weights and whether it
// finished after the stop; "evaluations_total" counts them all, and "evaluations_file"
// (evaluations.csv in the run's folder) has every one, appended as it finishes.
// "startup" holds StartupTimes (null where not reached). For a resumed run, wall_seconds and
// env_steps include the earlier sessions.
// "bottleneck": {"verdict", "reason", "knob", "stages": {"<group>_<stage>": fraction, ...}} over
// the whole run (launch/verdict.h); verdict null when the run was too short to tell.
// "restarts": {"actor", "replay", "learner"}: restarts of every process of the role ("actor_restarts"
// repeats the first). "transitions": {"committed", "stored", "dropped", "in_rings", "skipped", "lost",
// "replay_generation"} (launch/accounting.h), null when the replay storage never existed.
// "memory_mb": {"<role>": {"private", "anonymous"}} for launcher, replay, learner, actor: the most
// one process of the role held (MiB; common/proc.h MemoryUse: private excludes /dev/shm segments).
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "launch/accounting.h"
#include "launch/metrics.h"
#include "launch/snapshot.h"
#include "launch/solve.h"
#include "launch/verdict.h"

namespace shmrl::launch {

struct SolveInfo {
  double wall_seconds = 0;  // when the last confirmation finished
  double env_steps = 0;     // the run's env steps when the passing evaluation started
  uint64_t weight_version = 0;
  std::string checkpoint;  // the saved checkpoint of those weights ("" if it could not be written)
};

// Where start-up went, in seconds since the exec of `shmrl train`: the launcher reaching main()
// (its own library loading), the first child spawned (configuration checked, run directory made),
// and the last process of each role ready; NaN where a phase was not reached.
struct StartupTimes {
  double launcher_main_s = std::numeric_limits<double>::quiet_NaN();
  double spawn_s = std::numeric_limits<double>::quiet_NaN();
  double replay_ready_s = std::numeric_limits<double>::quiet_NaN();
  double learners_ready_s = std::numeric_limits<double>::quiet_NaN();
  double actors_ready_s = std::numeric_limits<double>::quiet_NaN();
  double all_ready_s = std::numeric_limits<double>::quiet_NaN();
  // "launcher main 0.41 s, children spawned 0.47 s; ready: replay 0.48 s, learners 0.90 s, actors 0.80 s".
  std::string describe() const;
};

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
  RestartCounts restarts;
  int eval_episodes = 0;
  int confirm_evals = 0;
  std::optional<SolveInfo> solve;  // set iff solved
  std::vector<EvalRecord> evaluations;
  StartupTimes startup;
  BottleneckVerdict verdict;        // the bottleneck over the run ("" bound: too short to tell)
  StageFractions stages;  // the stage fractions it judged
  std::map<std::string, RoleMemory> memory;  // role -> the most one of its processes held
  std::optional<TransitionAccount> transitions;  // none when the replay storage never existed
  uint64_t evaluations_total = 0;  // evaluations holds the latest; this many finished in all
};

// Fewer evaluation episodes than this make summary.json call the claim weak.
inline constexpr int kStrongClaimEpisodes = 10;

// Writes `s` as JSON to path (via a temporary file and rename: never a half-written summary).
// Throws std::runtime_error if it cannot.
void write_summary(const std::string& path, const RunSummary& s);

// The file beside summary.json with every evaluation of the run (resumed sessions append to it).
inline constexpr const char* kEvaluationsFile = "evaluations.csv";

// Appends one row for `e` to the CSV at path (a header first when the file is new): time_s,
// env_steps, weight_version, seed, episodes, mean, std, min, max, confirmation, after_stop. The
// file is opened and closed per row (evaluations come seconds apart at most ten times a second).
// Throws std::runtime_error if it cannot write.
void append_evaluation_csv(const std::string& path, const EvalRecord& e);

}  // namespace shmrl::launch
