#pragma once
// What every child process of a run published in its stats segment (common/stats.h), read at one
// instant: the input of metrics rows, stage fractions and `shmrl top`.
#include <map>
#include <string>
#include <vector>

#include "common/run.h"

namespace shmrl::launch {

using StatMap = std::map<std::string, double>;

// Missing segments are empty maps.
struct StatsSnapshot {
  double wall_s = 0;  // seconds since the run started
  std::vector<StatMap> actors;
  StatMap replay;
  std::vector<StatMap> learners;
};

// Reads seg::actor_stats(i), seg::replay_stats(), seg::learner_stats(r). Lock-free; O(stats).
StatsSnapshot read_snapshot(const RunContext& run, int actors, int learners, double wall_s);
// Only the actors' stats (s.actors), what counting env steps needs: `actors` segment reads.
StatsSnapshot read_actor_stats(const RunContext& run, int actors, double wall_s);

// The largest private memory one process of a role held during the run, MiB (common/proc.h).
struct RoleMemory {
  double private_mb = 0, anonymous_mb = 0;
};

// m[key], or `fallback` when absent.
double stat_or(const StatMap& m, const std::string& key, double fallback = 0);

}  // namespace shmrl::launch
