#pragma once
// Run metrics: snapshots of every process's stats segment turned into one row per second (totals,
// rates from deltas, policy lag, queue fill), written to metrics.csv and TensorBoard, and shown as
// the progress line. Launcher main thread only.
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/run.h"
#include "launch/snapshot.h"
#include "launch/stages.h"
#include "launch/verdict.h"

namespace shmrl::launch {

struct MetricsRow {
  double wall_s = 0;
  double env_steps = 0;        // all actors, totals across restarts
  double env_steps_per_s = 0;  // since the previous row
  double episodes = 0;
  double updates = 0;  // learner rank 0 (every rank does the same updates)
  double updates_per_s = 0;
  double replay_size = 0;
  double replay_inserts = 0;
  double replay_samples = 0;
  double train_return = 0;    // mean of the actors' recent episode returns (NaN before any episode)
  double eval_return = 0;     // latest greedy evaluation mean (NaN before the first)
  double weight_version = 0;  // newest published weights
  double policy_lag = 0;      // weight_version - the oldest version an actor runs
  double queue_fill = 0;      // mean fill of the actor rings, 0..1
  double actor_restarts = 0, replay_restarts = 0, learner_restarts = 0;  // all processes, so far
  // Private memory (common/proc.h MemoryUse::private_bytes, MiB) of the largest process of each
  // role; 0 = unknown.
  double launcher_private_mb = 0, replay_private_mb = 0, learner_private_mb = 0, actor_private_mb = 0;
  StageFractions stages;  // since the previous row (none in the first row)
  BottleneckVerdict verdict;        // over the last kVerdictWindowS seconds
};

// Restarts so far, per role (launch/supervisor.h).
struct RestartCounts {
  int actor = 0, replay = 0, learner = 0;
};

// The bottleneck verdict of each row looks this far back.
inline constexpr double kVerdictWindowS = 5.0;

// The metric columns, in CSV order: (name, accessor). One list for CSV, TensorBoard and tests.
// The CSV continues with stage_columns() (launch/stages.h).
const std::vector<std::pair<std::string, double MetricsRow::*>>& metric_columns();

// Turns successive snapshots into rows; reads the memory of the processes whose stats name their pid
// (and of the calling process, as the launcher's). Counters are taken as monotone (a restarted process may
// republish a smaller total for a moment; the largest seen is kept). base_env_steps: env steps of
// earlier sessions of a resumed run (the actors count from 0 again).
class MetricsTracker {
 public:
  explicit MetricsTracker(int64_t ring_capacity, double base_env_steps = 0)
      : ring_capacity_(ring_capacity), base_env_steps_(base_env_steps) {}
  MetricsRow update(const StatsSnapshot& s, double eval_return, const RestartCounts& restarts);
  // The run's env steps in `s`, counted as update() counts them, without recording a row. O(actors).
  double env_steps_in(const StatsSnapshot& s) const;
  // The verdict over the whole run so far (from the first row with stage figures to the latest),
  // with the mean ring fill of those rows.
  BottleneckVerdict run_verdict() const;
  // Stage fractions over the whole run so far (what run_verdict() judged).
  StageFractions run_fractions() const;
  // "launcher", "replay", "learner", "actor" -> the most one process of it held so far (roles whose
  // processes could not be read are absent).
  const std::map<std::string, RoleMemory>& peak_memory() const { return peak_memory_; }

 private:
  void read_memory(const StatsSnapshot& s, MetricsRow& row);

  int64_t ring_capacity_;
  double base_env_steps_;
  std::vector<double> actor_steps_, actor_episodes_;
  StageTotals prev_totals_;
  std::deque<StageTotals> window_;  // the last kVerdictWindowS seconds of totals
  std::optional<StageTotals> run_start_;
  std::map<std::string, RoleMemory> peak_memory_;
  double fill_sum_ = 0;
  int fill_rows_ = 0;
  double updates_ = 0;
  double prev_wall_ = 0, prev_steps_ = 0, prev_updates_ = 0;
  bool first_ = true;
};

// metrics.csv: a header, then one line per row, flushed each time (so a killed launcher still
// leaves every second it saw). An existing file (a resumed run) is appended to, without a second
// header. Throws std::runtime_error if the file cannot be written.
class CsvMetricsWriter {
 public:
  explicit CsvMetricsWriter(const std::string& path);
  ~CsvMetricsWriter();
  CsvMetricsWriter(const CsvMetricsWriter&) = delete;
  CsvMetricsWriter& operator=(const CsvMetricsWriter&) = delete;
  void write(const MetricsRow& row);

 private:
  std::string path_;
  std::FILE* file_;
};

// (tag, value) pairs for TensorBoard ("return/eval", "throughput/env_steps_per_s", ...,
// "stages/<stage column>"); NaN values (no evaluation yet, no stage figures) are left out.
std::vector<std::pair<std::string, float>> tensorboard_scalars(const MetricsRow& row);

// The one-line progress summary: "12s | 1.2M steps 98k/s | 3.4k upd 250/s | replay 100k | ...".
std::string format_progress(const MetricsRow& row);

}  // namespace shmrl::launch
