#include "launch/stress_soak.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace shmrl::launch {
namespace {

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long v = -1;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> v;
      return v;
    }
    in.ignore(1 << 10, '\n');
  }
  return -1;
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
  for (double t = 3; t < d - 3; t += std::uniform_real_distribution<double>(3, 8)(rng)) {
    const int actor = std::uniform_int_distribution<int>(0, actors - 1)(rng);
    switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
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
    const long rss = rss_kb(pid), fds = open_fds(pid);
    if (rss >= 0 && fds >= 0) samples_[name].push_back({t, pid, rss, fds});
  }
}

nlohmann::ordered_json ResourceSampler::drift(double from_s) const {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  bool ok = true;
  for (const auto& [name, v] : samples_) {
    if (v.empty()) continue;
    const pid_t pid = v.back().pid;
    auto first = std::find_if(v.begin(), v.end(), [&](const Sample& s) { return s.pid == pid && s.t >= from_s; });
    if (first == v.end() || first->t >= v.back().t) continue;  // too few samples of its last pid
    const double r = rel(first->rss_kb, v.back().rss_kb), f = rel(first->fds, v.back().fds);
    ok = ok && std::abs(r) <= kSoakDriftTarget && std::abs(f) <= kSoakDriftTarget;
    out[name] = {{"pid", pid},          {"from_s", first->t},       {"to_s", v.back().t},
                 {"rss_kb", {first->rss_kb, v.back().rss_kb}}, {"fds", {first->fds, v.back().fds}},
                 {"rss_drift", r},      {"fd_drift", f}};
  }
  return {{"processes", out}, {"within_target", ok}};
}

}  // namespace shmrl::launch
