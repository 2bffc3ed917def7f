#include "launch/stages.h"

#include <limits>

#include "common/stage_clock.h"
#include "replay/service.h"

namespace shmrl::launch {
namespace {

// The stage seconds of one process's stats with `prefix`; empty if it has not published them.
std::vector<double> process_seconds(const StatMap& m, std::span<const char* const> stages,
                                    const std::string& prefix) {
  std::vector<double> out;
  for (const char* s : stages) {
    auto it = m.find(stage_stat_name(s, prefix));
    if (it == m.end()) return {};
    out.push_back(it->second);
  }
  return out;
}

}  // namespace

const std::array<StageGroupInfo, kStageGroups>& stage_groups() {
  static const std::array<StageGroupInfo, kStageGroups> groups = {{
      {StageGroup::Actor, "actor", stages::kActor},
      {StageGroup::ReplayWriter, "replay_writer", stages::kReplayWriter},
      {StageGroup::ReplaySampler, "replay_sampler", stages::kReplaySampler},
      {StageGroup::Learner, "learner", stages::kLearner},
  }};
  return groups;
}

StageTotals stage_totals(const StatsSnapshot& s) {
  StageTotals t;
  t.wall_s = s.wall_s;
  auto& g = t.seconds;
  for (const auto& a : s.actors) g[0].push_back(process_seconds(a, stages::kActor, ""));
  g[1].push_back(process_seconds(s.replay, stages::kReplayWriter, replay::kWriterStagePrefix));
  for (std::size_t r = 0; r < s.learners.size(); ++r) {
    g[2].push_back(process_seconds(s.replay, stages::kReplaySampler, "sampler" + std::to_string(r) + "_"));
    g[3].push_back(process_seconds(s.learners[r], stages::kLearner, ""));
  }
  return t;
}

StageFractions stage_fractions(const StageTotals& from, const StageTotals& to) {
  StageFractions out;
  out.interval_s = to.wall_s - from.wall_s;
  if (!(out.interval_s > 0)) return out;
  for (std::size_t g = 0; g < kStageGroups; ++g) {
    const std::size_t n_stages = stage_groups()[g].stages.size();
    std::vector<double> sum(n_stages, 0);
    int processes = 0;
    for (std::size_t p = 0; p < std::min(from.seconds[g].size(), to.seconds[g].size()); ++p) {
      const auto &a = from.seconds[g][p], &b = to.seconds[g][p];
      if (a.size() != n_stages || b.size() != n_stages) continue;
      for (std::size_t i = 0; i < n_stages; ++i) sum[i] += std::max(0.0, b[i] - a[i]) / out.interval_s;
      ++processes;
    }
    if (processes == 0) continue;
    for (double& v : sum) v /= processes;
    out.f[g] = std::move(sum);
  }
  return out;
}

double StageFractions::accounted(StageGroup g) const {
  double s = 0;
  for (double v : f[static_cast<std::size_t>(g)]) s += v;
  return s;
}

std::vector<std::string> stage_columns() {
  std::vector<std::string> out;
  for (const auto& g : stage_groups())
    for (const char* s : g.stages) out.push_back(std::string(g.name) + "_" + s);
  for (const auto& g : stage_groups()) out.push_back(std::string(g.name) + "_accounted");
  return out;
}

std::vector<double> stage_values(const StageFractions& f) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> out;
  for (const auto& g : stage_groups()) {
    const auto& v = f.f[static_cast<std::size_t>(g.group)];
    for (std::size_t i = 0; i < g.stages.size(); ++i) out.push_back(v.empty() ? kNaN : v[i]);
  }
  for (const auto& g : stage_groups()) out.push_back(f.has(g.group) ? f.accounted(g.group) : kNaN);
  return out;
}

}  // namespace shmrl::launch
