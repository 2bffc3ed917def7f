#pragma once
// `shmrl stress --soak SECONDS`: one run of SECONDS with every kind of fault at random (SIGKILL of
// an actor, the replay or the learner; the learner SIGSTOPped for 2 s; flipped ring and storage
// records), every 3-8 s from the seed, restart budgets lifted; and the resident memory (VmRSS) and
// open file descriptors of every process of the run, sampled every second. Drift per process: its
// last sample against its first one after a quarter of the run (warm-up), over the samples of its
// last pid (a restarted process starts afresh); target within +-5 %. Launcher main thread.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "launch/stress_faults.h"

namespace shmrl::launch {

inline constexpr double kSoakDriftTarget = 0.05;

Scenario soak_scenario(double seconds, int actors, uint64_t seed);

class ResourceSampler {
 public:
  // One sample of every member (name, pid) at t seconds into the run. Gone pids are skipped.
  void sample(const std::vector<std::pair<std::string, pid_t>>& pids, double t);
  // Per member: {pid, from_s, rss_kb, fds (first after `from_s`, last), rss_drift, fd_drift}; and
  // "within_target" overall.
  nlohmann::ordered_json drift(double from_s) const;

 private:
  struct Sample {
    double t;
    pid_t pid;
    long rss_kb;
    long fds;
  };
  std::map<std::string, std::vector<Sample>> samples_;
};

}  // namespace shmrl::launch
