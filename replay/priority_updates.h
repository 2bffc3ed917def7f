#pragma once
// Priority updates from learner `rank` back to the replay service: an SpscRing in segment
// seg::learner_priorities(rank) of PriorityUpdate records. The replay service creates the ring
// (owner = the run's owner) and is its consumer; the learner attaches as its producer.
//
// Semantics on the service side: an update is applied to the item with that key if the item is
// still stored (key in [oldest, newest]); otherwise (evicted or overwritten since it was sampled) it
// is dropped and counted ("priority_updates_stale"). A NaN, infinite or negative priority is
// rejected and counted ("priority_updates_rejected"), never stored. A priority of 0 makes the item
// unsampleable until updated again; learners normally send |td_error| + a small epsilon.
// With the uniform selector (BatchReader::prioritized() == false) updates are counted and ignored,
// so learners should not send them.
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/run.h"
#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"
#include "common/time.h"

namespace shmrl::replay {

struct PriorityUpdate {
  uint64_t key;       // BatchView::keys[i]
  float priority;     // >= 0, finite
  uint32_t reserved;  // 0
};
static_assert(sizeof(PriorityUpdate) == 16);

// Learner side: the producer of learner_priorities(rank). One thread at a time.
class PriorityWriter {
 public:
  // Polls until the service has created the ring, then claims the producer side (a restarted
  // learner continues after the last committed update). std::runtime_error on timeout.
  static PriorityWriter attach(const RunContext& run, int rank, Deadline deadline);

  // Sends keys[i] -> priorities[i] (same length), waiting for room until the deadline. Returns how
  // many were sent (keys.size() unless timed out). O(n). Values are checked by the service.
  std::size_t push(std::span<const uint64_t> keys, std::span<const float> priorities,
                   Deadline deadline);

  PriorityWriter(PriorityWriter&&) = default;

 private:
  PriorityWriter(shm::Segment seg, const shm::SpscRing& ring) : seg_(std::move(seg)), ring_(ring) {}
  shm::Segment seg_;
  shm::SpscRing ring_;
};

}  // namespace shmrl::replay
