#pragma once
// Stage fractions of a run: the stage seconds every process publishes (common/stage_clock.h) turned
// into the fraction of wall time each group of threads spends in each stage over an interval, as
// measured by the launcher's own clock (so time a process failed to account for shows as a sum
// below 1). Launcher main thread (and `shmrl top`); plain arithmetic over snapshots.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "launch/snapshot.h"

namespace shmrl::launch {

// Groups of threads whose stages are reported together: every actor (mean over the actors), the
// replay writer thread, the replay sampler threads (mean over learner ranks), every learner (mean
// over ranks).
enum class StageGroup { Actor, ReplayWriter, ReplaySampler, Learner };
inline constexpr std::size_t kStageGroups = 4;

struct StageGroupInfo {
  StageGroup group;
  const char* name;  // column prefix: "actor", "replay_writer", "replay_sampler", "learner"
  std::span<const char* const> stages;
};
const std::array<StageGroupInfo, kStageGroups>& stage_groups();

// Cumulative stage seconds of each process at one instant: [group][process][stage].
struct StageTotals {
  double wall_s = 0;
  std::array<std::vector<std::vector<double>>, kStageGroups> seconds;
};
// From one snapshot; a process that has not published its stages yet has an empty row.
StageTotals stage_totals(const StatsSnapshot& s);

struct StageFractions {
  // [group][stage]: fraction of the interval's wall time, averaged over the group's processes that
  // published at both ends; empty for a group with none.
  std::array<std::vector<double>, kStageGroups> f;
  double interval_s = 0;
  bool has(StageGroup g) const { return !f[static_cast<std::size_t>(g)].empty(); }
  // 0 when the group has no figures.
  template <class Stage>
  double of(StageGroup g, Stage stage) const {
    const auto& v = f[static_cast<std::size_t>(g)];
    return v.empty() ? 0 : v[static_cast<std::size_t>(stage)];
  }
  // Sum of the group's fractions: 1 when its processes accounted for all their time.
  double accounted(StageGroup g) const;
};
// Between two totals of the same run (to later than from); no figures if the interval is empty.
StageFractions stage_fractions(const StageTotals& from, const StageTotals& to);

// Column names, in order: "<group>_<stage>" for every group and stage, then "<group>_accounted".
std::vector<std::string> stage_columns();
// Values in stage_columns() order (NaN where a group has no figures).
std::vector<double> stage_values(const StageFractions& f);

}  // namespace shmrl::launch
