#pragma once
// The run's final checkpoint after a solve: the weights that the launcher's evaluation scored (by
// weight version), not the ones the learner trained on until it stopped. So `shmrl eval` of the
// saved checkpoint reproduces the passing evaluation.
#include <cstddef>
#include <span>
#include <string>

#include "learner/checkpoint.h"
#include "learner/options.h"

namespace shmrl::learner {

// Writes the actors' network weights `blob` (the weight board's content, models/weights_blob.h,
// version counters.updates) into the learner `o` describes (built on the CPU) as
// <dir>/ckpt-<counters.updates>.pt. The rest of the state (optimizer, critics and targets of SAC/TD3)
// comes from the newest checkpoint in dir when it loads (fresh otherwise); DQN's target network is
// set to the evaluated weights too. Removes the checkpoints of later updates and rewrites policy.pt /
// policy.json from the same weights. Returns the checkpoint's path. Throws std::invalid_argument if
// the blob does not fit the network, std::runtime_error on I/O errors. Call only when no learner
// writes to dir any more.
std::string save_evaluated_weights(const std::string& dir, const LearnerOptions& o,
                                   std::span<const std::byte> blob, const CheckpointCounters& counters);

}  // namespace shmrl::learner
