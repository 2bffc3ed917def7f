#pragma once
// Rank 0's side of the run's weight board (seg::weights()): the online network, in the actors'
// weights-blob format (models/weights_blob.h), published with version = update count.
//
// The board is created with the run's owner as segment owner (the launcher removes it with the
// run); a restarted or resumed learner re-attaches to an existing board and keeps versions
// increasing past what is already there.
//
// Threading: the training thread only.
#include <cstdint>
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "common/run.h"
#include "common/shm/segment.h"
#include "common/shm/weight_board.h"

namespace shmrl::learner {

class WeightPublisher {
 public:
  // Creates (or re-attaches to) the board sized for `module`'s blob. Throws std::runtime_error
  // (ShmSpaceError when /dev/shm is too small) or, for an existing board too small for this network,
  // std::runtime_error saying so.
  WeightPublisher(const RunContext& run, const torch::nn::Module& module);

  // Publishes the module's weights as version max(update_count, last published + 1); returns the
  // version. O(parameters) plus one device-to-host copy.
  uint64_t publish(const torch::nn::Module& module, uint64_t update_count);
  uint64_t last_version() const { return last_; }

 private:
  std::optional<shm::Segment> seg_;
  std::optional<shm::WeightBoard> board_;
  std::vector<std::byte> blob_;
  uint64_t last_ = 0;
};

}  // namespace shmrl::learner
