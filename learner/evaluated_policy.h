#pragma once
// The run's final checkpoint after a solve: the weights that the launcher's evaluation scored (by
// weight version), not the ones the learner trained on until it stopped. So `shmrl eval` of the
// saved checkpoint reproduces the passing evaluation.
#include <cstddef>
#include <span>
#include <string>

#include "models/qnet.h"
#include "learner/checkpoint.h"

namespace shmrl::learner {

// Writes the QNet weights `blob` (models/weights_blob.h, version counters.updates) as
// <dir>/ckpt-<counters.updates>.pt, online and target network both, with the optimizer state of the
// newest checkpoint in dir when it loads (fresh Adam state otherwise), removes the checkpoints of
// later updates, and rewrites policy.pt / policy.json from the same weights. Returns the
// checkpoint's path. Throws std::invalid_argument if the blob does not fit `opts`,
// std::runtime_error on I/O errors. Call only when no learner writes to dir any more.
std::string save_evaluated_weights(const std::string& dir, const CheckpointMeta& meta,
                                   const models::QNetOptions& opts, std::span<const std::byte> blob,
                                   const CheckpointCounters& counters);

}  // namespace shmrl::learner
