#pragma once
// The actor's reader of the run's weight board (seg::weights()): attaches once the learner has
// created it, and loads a version newer than the one in use. Before the board exists the actor
// keeps its initial random weights (version 0). Plain C++ (the policy does the torch part).
//
// Threading: one thread.
#include <cstdint>
#include <optional>
#include <vector>

#include "actors/policy.h"
#include "common/run.h"
#include "common/shm/segment.h"
#include "common/shm/weight_board.h"

namespace shmrl::actors {

class WeightSync {
 public:
  explicit WeightSync(RunContext run) : run_(std::move(run)) {}
  // Returns the version now in `policy`: a newer board version gets loaded into it, else `current`
  // is returned. A board not there (or not formatted) yet is retried on the next call. Throws
  // std::invalid_argument if the board's blob does not fit the policy's network. O(1) when nothing
  // is new (one atomic load), O(blob bytes) on a load.
  uint64_t poll(Policy& policy, uint64_t current);

 private:
  RunContext run_;
  std::optional<shm::Segment> seg_;
  std::optional<shm::WeightBoard> board_;
  std::vector<std::byte> blob_;
};

}  // namespace shmrl::actors
