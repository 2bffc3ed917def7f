#pragma once
// Stall detection: a child that is alive but has stopped running its loop. Every process republishes
// its stats block (common/stats.h) many times a second while its loop turns, also while it waits on
// another process (an actor on a full ring, a learner on its batch slots, the replay's writer idle):
// waiting for others is back-pressure, not a stall. A block that has not changed at all for
// run.stall.warn_s means the process itself is stuck (stopped, deadlocked, hung in a collective):
// reported; past run.stall.kill_s the launcher kills it and it is restarted like a crash.
// Launcher main thread only.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "launch/snapshot.h"

namespace shmrl::launch {

struct StallOptions {
  double warn_s = 10;  // report after this long without a change (0 = never)
  double kill_s = 60;  // kill after this long (0 = never)
};

struct Stall {
  std::string name;  // "learner0"
  double for_s = 0;  // seconds since its stats last changed
  bool warn = false;  // crossed warn_s at this check (reported once per stall)
  bool kill = false;  // crossed kill_s at this check
};

class StallWatch {
 public:
  explicit StallWatch(StallOptions o) : o_(o) {}
  // Records process `name`'s stats at time `now_s`; a new pid (a restart) starts afresh. An empty
  // map (not running yet) is ignored.
  void observe(const std::string& name, const StatMap& stats, double now_s);
  // Drops what is known of `name` (it is not running: ended, or waiting for its restart).
  void forget(const std::string& name);
  // Every process stalled for at least warn_s (or kill_s) as of the last observe() calls.
  std::vector<Stall> stalled(double now_s);

 private:
  struct Seen {
    double pid = 0;
    StatMap values;
    double changed_s = 0;
    bool warned = false, killed = false;
  };
  StallOptions o_;
  std::map<std::string, Seen> seen_;
};

// " | stalled learner0 12 s": the progress line's note for the stalls (empty when none).
std::string stall_note(const std::vector<Stall>& stalls);

}  // namespace shmrl::launch
