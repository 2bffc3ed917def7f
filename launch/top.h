#pragma once
// `shmrl top runs/<run-id>`: a live view of a running run, one frame a second, read from its
// processes' stats segments (nothing is asked of the processes): per process its pid, private
// memory (/proc/<pid>/smaps_rollup), rates, weight version and policy lag, ring fill and where its
// time goes (stage fractions), and the run's bottleneck verdict. Launcher-side tool; one thread.
#include <string>

#include "launch/snapshot.h"

namespace shmrl::launch {

struct TopArgs {
  std::string run_dir;      // runs/<run-id>: its config.toml says how many processes there are
  bool once = false;        // one frame (two snapshots interval_s apart), then exit
  double interval_s = 1.0;  // between frames
};

// What a frame shows besides the snapshots.
struct TopLayout {
  std::string run_id, env_id;
  int actors = 0, learners = 0, envs_per_actor = 0;
  int64_t ring_capacity = 1;
};

// One frame from two snapshots of the same run (`now` later than `before`). Pure apart from the
// /proc reads for memory.
std::string format_top(const TopLayout& layout, const StatsSnapshot& before, const StatsSnapshot& now);

// Runs the view until SIGINT/SIGTERM (or one frame with once). Returns the exit status: 1 with a
// message on stderr when the run directory has no config.toml or the run is not running.
int run_top(const TopArgs& args);

}  // namespace shmrl::launch
