#include "launch/stress_soak.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace shmrl::launch {
namespace {

// VmRSS and RssAnon (kB) from /proc/<pid>/status; -1 when gone.
std::pair<long, long> rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long rss = -1, anon = -1;
  while (in >> key) {
    if (key == "VmRSS:") in >> rss;
    else if (key == "RssAnon:") in >> anon;
    in.ignore(1 << 10, '\n');
  }
  return {rss, anon};
}

long open_fds(pid_t pid) {
  std::error_code ec;
  long n = 0;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return ec ? -1 : n;
}

double rel(long first, long last) { return first > 0 ? static_cast<double>(last - first) / first : 0.0; }

}  // namespace

Scenario soak_scenario(double d, int actors, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Scenario s{"soak", "every fault at random every 3-8 s", {}, {}, 0, false, true, d};
  s.train_args = {"--set", "run.restarts.actor=1000", "--set", "run.restarts.replay=1000", "--set",
                  "run.restarts.learner=1000", "--set", "run.restarts.backoff_s=0.2"};
  // Flipped records must be read before the stop to be counted as dropped: while the learner is
  // the bottleneck, the rings hold thousands of records, so corruption ends this long before.
  const double last_flip_s = d - std::min(30.0, d / 4);
  for (double t = 3; t < d - 3; t += std::uniform_real_distribution<double>(3, 8)(rng)) {
    const int actor = std::uniform_int_distribution<int>(0, actors - 1)(rng);
    const int kind = std::uniform_int_distribution<int>(0, 5)(rng);
    if (kind >= 4 && t >= last_flip_s) continue;  // no flips near the end (the same draws otherwise)
    switch (kind) {
      case 0: s.faults.push_back({t, FaultKind::Kill, Role::Actor, actor, 0}); break;
      case 1: s.faults.push_back({t, FaultKind::Kill, Role::Replay, 0, 0}); break;
      case 2: s.faults.push_back({t, FaultKind::Kill, Role::Learner, 0, 0}); break;
      case 3:
        s.faults.push_back({t, FaultKind::Stop, Role::Learner, 0, 0});
        s.faults.push_back({t + 2, FaultKind::Cont, Role::Learner, 0, 0});
        break;
      case 4: s.faults.push_back({t, FaultKind::CorruptRing, Role::Actor, actor, 4}); break;
      default: s.faults.push_back({t, FaultKind::CorruptStorage, Role::Replay, 0, 4});
    }
  }
  std::sort(s.faults.begin(), s.faults.end(), [](const Fault& a, const Fault& b) { return a.at_s < b.at_s; });
  return s;
}

void ResourceSampler::sample(const std::vector<std::pair<std::string, pid_t>>& pids, double t) {
  for (const auto& [name, pid] : pids) {
    const auto [rss, anon] = rss_kb(pid);
    const long fds = open_fds(pid);
    if (rss >= 0 && anon >= 0 && fds >= 0) samples_[name].push_back({t, pid, rss, anon, fds});
  }
}

nlohmann::ordered_json ResourceSampler::drift(double from_s, double to_s) const {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  bool ok = true;
  for (const auto& [name, v] : samples_) {
    // The last sample before to_s (the run's stop: its processes close files as they end).
    auto last_it = std::find_if(v.rbegin(), v.rend(), [&](const Sample& s) { return s.t <= to_s; });
    if (last_it == v.rend()) continue;
    const Sample& last = *last_it;
    const pid_t pid = last.pid;
    auto first = std::find_if(v.begin(), v.end(), [&](const Sample& s) { return s.pid == pid && s.t >= from_s; });
    if (first == v.end() || first->t >= last.t) continue;  // too few samples of its last pid
    const double r = rel(first->rss_kb, last.rss_kb), a = rel(first->anon_kb, last.anon_kb),
                 f = rel(first->fds, last.fds);
    // fds: a process holds about ten, and the launcher opens files for a moment (stats, metrics):
    // one fd either way is within the target too.
    const bool fds_ok = std::abs(f) <= kSoakDriftTarget || std::labs(last.fds - first->fds) <= 1;
    ok = ok && std::abs(a) <= kSoakDriftTarget && fds_ok;
    out[name] = {{"pid", pid},
                 {"from_s", first->t},
                 {"to_s", last.t},
                 {"rss_kb", {first->rss_kb, last.rss_kb}},
                 {"anon_kb", {first->anon_kb, last.anon_kb}},
                 {"fds", {first->fds, last.fds}},
                 {"rss_drift", r},
                 {"anon_drift", a},
                 {"fd_drift", f}};
  }
  return {{"processes", out}, {"within_target", ok}};
}

}  // namespace shmrl::launch
