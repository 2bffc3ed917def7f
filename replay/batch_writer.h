#pragma once
// Service side of the learner batch slots (layout and state machine: batch_slots.h). One
// BatchWriter per learner, used by that learner's sampler thread only.
#include <cstddef>
#include <cstdint>

#include "common/run.h"
#include "common/schema.h"
#include "common/shm/segment.h"
#include "replay/batch_slots.h"

namespace shmrl::replay {

class BatchWriter {
 public:
  // Creates seg::learner_batches(rank) with the run's owner as owner, or, after a service restart,
  // re-opens it: checks its sizes match (std::runtime_error otherwise), frees the slots the dead
  // service left Filling and keeps Ready ones. Stamps `generation` and the caller as service.
  static BatchWriter open_or_create(const RunContext& run, int rank, const TransitionSchema& schema,
                                    std::size_t batch_size, std::size_t num_slots, bool prioritized,
                                    uint64_t generation);

  // Moves a Free slot to Filling and returns it; -1 if every slot is taken. O(num_slots).
  int try_claim();
  // try_claim(), sleeping until the learner frees a slot or the deadline passes (-1).
  int claim(Deadline deadline);
  std::byte* batch(int slot) const { return slot_base(slot) + hdr_->batch_offset; }
  uint64_t* keys(int slot) const {
    return reinterpret_cast<uint64_t*>(slot_base(slot) + hdr_->keys_offset);
  }
  float* weights(int slot) const { return reinterpret_cast<float*>(slot_base(slot) + hdr_->weights_offset); }
  // Filling -> Ready with the next seq (release: the batch is visible before the state).
  void publish(int slot, double beta, uint64_t generation);
  // Filling -> Free without publishing (service shutdown).
  void abandon(int slot);
  void heartbeat();
  uint64_t batches_published() const;

 private:
  explicit BatchWriter(shm::Segment seg);
  std::byte* slot_base(int i) const;
  BatchSlotHeader* slot(int i) const { return reinterpret_cast<BatchSlotHeader*>(slot_base(i)); }
  shm::Segment seg_;
  BatchSegmentHeader* hdr_;
};

}  // namespace shmrl::replay
