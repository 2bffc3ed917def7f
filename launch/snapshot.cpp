#include "launch/snapshot.h"

#include "common/stats.h"

namespace shmrl::launch {

StatsSnapshot read_actor_stats(const RunContext& run, int actors, double wall_s) {
  StatsSnapshot s;
  s.wall_s = wall_s;
  for (int i = 0; i < actors; ++i) s.actors.push_back(read_stats(run, seg::actor_stats(i)));
  return s;
}

StatsSnapshot read_snapshot(const RunContext& run, int actors, int learners, double wall_s) {
  StatsSnapshot s = read_actor_stats(run, actors, wall_s);
  s.replay = read_stats(run, seg::replay_stats());
  for (int r = 0; r < learners; ++r) s.learners.push_back(read_stats(run, seg::learner_stats(r)));
  return s;
}

double stat_or(const StatMap& m, const std::string& key, double fallback) {
  auto it = m.find(key);
  return it == m.end() ? fallback : it->second;
}

}  // namespace shmrl::launch
