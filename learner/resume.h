#pragma once
// Which learner checkpoint a resumed run continues from, decided the same way by the launcher
// (before any process starts, to refuse a network that does not fit) and by the learner process
// (which loads it): the newest one in the run's checkpoints/ that opens; newer ones that do not
// (corrupt, truncated) are skipped, and each caller says so. Training thread / launcher main thread.
#include <optional>
#include <string>
#include <vector>

#include "learner/checkpoint.h"
#include "learner/options.h"

namespace shmrl::learner {

// What the learner process builds for `o`, as its checkpoints record it (env id, network, kwargs).
// Throws std::invalid_argument for an env learner.algorithm cannot handle.
CheckpointMeta checkpoint_meta(const LearnerOptions& o);

struct ResumePoint {
  std::string path;                  // the checkpoint to load
  CheckpointMeta meta;               // what it was written for
  CheckpointCounters counters;
  std::vector<std::string> skipped;  // "<path>: <why>" for each newer one that did not open
};

// The newest checkpoint in dir that opens (peek_checkpoint). std::nullopt when dir holds none;
// throws CheckpointError naming every file and why when none opens.
std::optional<ResumePoint> newest_readable_checkpoint(const std::string& dir);

}  // namespace shmrl::learner
