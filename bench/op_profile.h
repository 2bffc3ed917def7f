#pragma once
// Where a learner update spends its time, op by op: every LibTorch operator call (forward ops,
// autograd backward nodes, the optimizer step) that one thread dispatches, counted and timed
// through LibTorch's RecordFunction hooks. Small-network CPU updates are dominated by per-op
// overhead; this says how many ops an update dispatches and how long each takes on average.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace shmrl::bench {

struct OpProfile {
  int updates = 0;
  double us_per_update = 0;        // wall time, profiling hooks included
  double ops_per_update = 0;       // every recorded call, nested ones included
  double top_ops_per_update = 0;   // calls not inside another recorded call
  double top_op_share = 0;         // fraction of the wall time spent inside top-level calls
  // Top-level calls by name: microseconds per update (inclusive of what they call), descending.
  std::vector<std::pair<std::string, double>> top_us_per_update;
};

// Runs step() `updates` times (>= 1) on this thread with the hooks installed. Not reentrant: one
// profile at a time per thread.
OpProfile profile_ops(const std::function<void()>& step, int updates);

}  // namespace shmrl::bench
