#include "launch/stall.h"

#include <cstdio>

#include "common/stats.h"

namespace shmrl::launch {

void StallWatch::observe(const std::string& name, const StatMap& stats, double now_s) {
  if (stats.empty()) return;
  auto [it, fresh] = seen_.try_emplace(name);
  Seen& s = it->second;
  const double pid = stat_or(stats, kPidStat);
  if (fresh || pid != s.pid || stats != s.values) {
    s.warned = s.killed = false;
    s.pid = pid;
    s.values = stats;
    s.changed_s = now_s;
  }
}

void StallWatch::forget(const std::string& name) { seen_.erase(name); }

std::vector<Stall> StallWatch::stalled(double now_s) {
  std::vector<Stall> out;
  for (auto& [name, s] : seen_) {
    const double idle = now_s - s.changed_s;
    const bool over_warn = o_.warn_s > 0 && idle >= o_.warn_s;
    const bool over_kill = o_.kill_s > 0 && idle >= o_.kill_s;
    if (!over_warn && !over_kill) continue;
    Stall st{name, idle, over_warn && !s.warned, over_kill && !s.killed};
    s.warned = s.warned || over_warn;
    s.killed = s.killed || over_kill;
    out.push_back(st);
  }
  return out;
}

std::string stall_note(const std::vector<Stall>& stalls) {
  std::string s;
  for (const auto& st : stalls) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s %.0f s", st.name.c_str(), st.for_s);
    s += (s.empty() ? " | stalled " : ", ") + std::string(buf);
  }
  return s;
}

}  // namespace shmrl::launch
