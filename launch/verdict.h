#pragma once
// The bottleneck verdict: which part of the pipeline limits a run's throughput, from where the
// processes' time goes (launch/stages.h) and how full the actor rings are, with the fractions that
// justify it and the setting that would move it. The pipeline is actors -> rings -> replay writer
// -> storage -> replay samplers -> batch slots -> learners, with the rate limiter between inserts
// and samples; a side that waits on its neighbour points downstream (actors waiting on full rings)
// or upstream (learners waiting for batches) to the limiting part. Plain arithmetic; any thread.
#include <string>

#include "launch/stages.h"

namespace shmrl::launch {

struct BottleneckVerdict {
  // "env-bound", "inference-bound", "transport-bound", "replay-bound", "learner-bound",
  // "rate-limited"; "" while there are no figures (start-up).
  std::string bound;
  std::string reason;  // the fractions: "learners busy 97 %, actors wait 61 % on full rings"
  std::string knob;    // what would move it: "add learners (run.learners) or raise learner.batch_size"
  // "learner-bound: learners busy 97 %, ...; add learners ..." ("" without a bound).
  std::string text() const;
};

// A side waits when it spends at least this fraction of its time waiting on its neighbour.
inline constexpr double kWaitFraction = 0.25;
// A thread counts as saturated when it is busy at least this fraction of its time.
inline constexpr double kBusyFraction = 0.75;

// From fractions over a window of a few seconds and the actor rings' mean fill (0..1).
BottleneckVerdict bottleneck(const StageFractions& f, double queue_fill);

}  // namespace shmrl::launch
