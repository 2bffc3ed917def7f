#include "actors/weight_sync.h"

#include <chrono>
#include <stdexcept>
#include <string>

#include "common/time.h"

namespace shmrl::actors {

uint64_t WeightSync::poll(Policy& policy, uint64_t current) {
  if (!board_) {
    if (!shm::Segment::exists(run_.run_id, seg::weights())) return current;
    try {
      seg_.emplace(shm::Segment::open(run_.run_id, seg::weights()));
      board_.emplace(shm::WeightBoard::attach(seg_->data(), seg_->size()));
    } catch (const std::runtime_error&) {
      // The learner is still creating it (header not written yet): try again next time.
      board_.reset();
      seg_.reset();
      return current;
    }
  }
  if (!board_->has_newer_than(current)) return current;
  // A short deadline: the writer publishes rarely, so a retry loop only runs if it publishes twice
  // during one copy; then the next poll gets the newer version anyway.
  const auto version = board_->read(blob_, deadline_in(std::chrono::milliseconds(100)));
  if (!version || *version <= current) return current;
  try {
    policy.load_weights(blob_);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("weight board version " + std::to_string(*version) + ": " +
                                e.what());
  }
  return *version;
}

}  // namespace shmrl::actors
