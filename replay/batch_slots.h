#pragma once
// Learner batch slots: segment seg::learner_batches(rank), created by the replay service (owner = the
// run's owner), holding `num_slots` ready-to-train batches for learner `rank`.
//
// Slot layout (offsets from the slot base, each 64-byte aligned; all offsets are in the header):
//   BatchSlotHeader | batch (BatchLayout(schema, batch_size) columns) | keys uint64[B] | weights f32[B]
// A key is the absolute insertion number of the sampled item in the replay storage (item index =
// key % capacity). Keys survive a replay restart; an update for a key whose item was evicted since
// is dropped by the service. weights are importance-sampling weights (N*P)^-beta / max (all 1 for
// the uniform selector).
//
// Slot state machine (BatchSlotHeader::state, one atomic word; acquire/release):
//   Free --service--> Filling --service--> Ready --learner acquire--> Consumed --learner release--> Free
// The service only writes slots it moved to Filling; the learner only reads slots it moved to
// Consumed, so the batch memory is never read and written at once. Ready slots carry increasing
// `seq` (1, 2, ...); acquire() takes the lowest ready seq, so batches are used in sampling order.
// A restarted service resets its own dead Filling slots to Free and keeps Ready ones; a restarted
// learner (attach) resets Consumed slots to Free.
//
// Learner-side use (zero-copy):
//   auto reader = BatchReader::attach(run, rank, schema, batch_size, deadline_in(30s));
//   while (auto b = reader.acquire(deadline_in(5s))) {
//     const float* obs = reinterpret_cast<const float*>(b->column(TransitionSchema::kObs));
//     ... train on b->keys / b->weights ...; reader.release(*b);
//   }
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "common/proc.h"
#include "common/run.h"
#include "common/schema.h"
#include "common/shm/futex.h"
#include "common/shm/segment.h"
#include "common/time.h"

namespace shmrl::replay {

inline constexpr uint64_t kBatchMagic = 0x73686d726c42534cull;  // "shmrlBSL"
inline constexpr uint32_t kBatchLayoutVersion = 2;

enum class SlotState : uint32_t { Free = 0, Filling = 1, Ready = 2, Consumed = 3 };

struct alignas(64) BatchSlotHeader {
  std::atomic<uint32_t> state;  // SlotState
  uint32_t size;                // transitions in this batch (== batch_size)
  uint64_t seq;                 // batch number in this segment (1, 2, ...); set before Ready
  uint64_t generation;          // replay storage generation that sampled it
  double beta;                  // IS exponent used for the weights
  uint64_t sampled_ns;          // steady clock when it became Ready
  uint8_t pad[24];
};
static_assert(sizeof(BatchSlotHeader) == 64);

struct alignas(64) BatchSegmentHeader {
  // Line 0: immutable once magic is set (magic is stored last, with release).
  std::atomic<uint64_t> magic;
  uint32_t layout_version;
  uint32_t num_slots;
  uint64_t schema_fingerprint;
  uint32_t batch_size;
  uint32_t prioritized;  // 1: learners should send priority updates; 0: uniform, updates ignored
  uint64_t slot_stride;  // bytes between slot bases; slot i at header + sizeof(header) + i*stride
  uint64_t batch_offset, keys_offset, weights_offset;  // within a slot
  // Line 1: the service.
  alignas(64) std::atomic<uint64_t> generation;  // replay storage generation (bumps per restart)
  std::atomic<uint64_t> next_seq;                // last seq handed out
  ProcessId service;
  std::atomic<uint64_t> service_heartbeat_ns;    // steady clock, stamped while the service runs
  shm::EventWord ready_event;                    // notified after a slot becomes Ready
  // Line 2: the learner.
  alignas(64) ProcessId consumer;
  std::atomic<uint64_t> batches_consumed;
  shm::EventWord free_event;                     // notified after a slot becomes Free
};
static_assert(sizeof(BatchSegmentHeader) == 3 * 64);

// Bytes of the whole segment for these sizes.
std::size_t batch_segment_bytes(const TransitionSchema& schema, std::size_t batch_size,
                                std::size_t num_slots);

// One acquired batch. Valid until release(); memory belongs to the segment (zero-copy).
struct BatchView {
  uint32_t slot = 0;
  uint64_t seq = 0;
  uint64_t generation = 0;
  double beta = 0;
  const std::byte* data = nullptr;  // BatchLayout base
  std::span<const uint64_t> keys;   // batch_size keys, row order
  std::span<const float> weights;   // batch_size IS weights, row order
  const BatchLayout* layout = nullptr;
  // Column of a schema field: batch_size items, contiguous. Throws std::out_of_range if unknown.
  const std::byte* column(std::string_view field) const { return data + layout->column_offset(field); }
};

// Learner side. One BatchReader per learner process; acquire()/release() may be called from
// different threads (a prefetch thread acquires, the train thread releases) but acquire() from one
// thread at a time. Holding up to num_slots - 1 batches at once keeps the service filling.
class BatchReader {
 public:
  // Polls until the service has created and formatted learner_batches(rank), then checks the
  // schema fingerprint and batch size. Throws std::runtime_error naming both values on a mismatch,
  // and on timeout ("replay service did not create ... by the deadline: is it running?").
  // Registers the caller as consumer and frees slots a previous (dead) learner left Consumed.
  static BatchReader attach(const RunContext& run, int rank, const TransitionSchema& schema,
                            std::size_t batch_size, Deadline deadline);

  // Waits (a short spin, then asleep until the service publishes) for the Ready slot with the
  // lowest seq and marks it Consumed. nullopt on timeout. O(num_slots) per look.
  std::optional<BatchView> acquire(Deadline deadline);
  // The same without waiting: nullopt if no slot is Ready now.
  std::optional<BatchView> try_acquire();
  // Hands the slot back (Consumed -> Free). Any thread; once per acquired view.
  void release(const BatchView& b);

  bool prioritized() const;        // false: skip sending priority updates
  uint64_t generation() const;     // current replay storage generation
  bool service_alive() const;      // the registered service process exists (reads /proc: poll)
  std::size_t batch_size() const { return layout_.batch_size(); }
  const BatchLayout& layout() const { return layout_; }
  // The whole mapped segment (every slot's batch, keys and weights), e.g. to page-lock it for
  // direct GPU copies. Valid while the reader lives.
  std::span<std::byte> memory() const { return {seg_.data(), seg_.size()}; }

  // Moving is fine; views acquired before a move point at the moved-from layout: release them first.
  BatchReader(BatchReader&&) = default;

 private:
  BatchReader(shm::Segment seg, const TransitionSchema& schema, std::size_t batch_size);
  std::byte* slot_base(uint32_t i) const;
  BatchSlotHeader* slot(uint32_t i) const;

  shm::Segment seg_;
  BatchSegmentHeader* hdr_;
  std::unique_ptr<TransitionSchema> schema_;  // own copy: layout_ points at it, moves keep it
  BatchLayout layout_;
};

}  // namespace shmrl::replay
