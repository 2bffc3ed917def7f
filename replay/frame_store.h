#pragma once
// Frame-deduplicated replay items for stacked-frame observations (uint8 [k, H, W]; Atari's
// [4, 84, 84]): each distinct H x W frame is stored once, in a pool of frame slots inside the
// storage segment, and an item holds the slot numbers of its 2k frames (obs, then next_obs) plus the
// record's other fields. Consecutive n-step records of one env share all but about one frame, so an
// item costs about one frame instead of 2k. Records are rebuilt bit for bit when read.
//
// Frames are found again by content (a hash of the frame, checked with memcmp), so what an item
// holds is exactly what its record held: no frame of another episode or env can enter a stack.
// A frame slot is reused only when no stored item refers to it (reference counts); when none is
// free the oldest items are evicted early, so the store holds fewer than `capacity` items when
// the stream has more than frame_capacity / capacity distinct frames per item.
//
// The reference counts, the free slots and the hash index live in the writer's memory, rebuilt
// from the stored items at creation and after a restart (rebuild()): a crash mid-insert cannot
// leave them wrong. Readers need only the segment.
//
// Threading: as Storage (mutators from the writer thread under the service lock; read() under it
// too, or on a segment nobody writes).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "common/schema.h"

namespace shmrl::replay {

class FrameStore {
 public:
  // True when obs_space is uint8 [k, H, W] with k >= 2 (stacks worth deduplicating).
  static bool applies(const Space& obs_space);
  // Frame slots for `capacity` items: capacity + capacity / 32 + 64 (room for the extra frames
  // of episode starts before items are evicted early).
  static uint64_t frame_capacity(uint64_t capacity);
  // Bytes of one item (8-aligned) and of the frame pool, for this schema. Precondition: applies().
  static std::size_t item_bytes(const TransitionSchema& schema);
  static std::size_t pool_bytes(uint64_t capacity, const TransitionSchema& schema);

  // items: capacity items of item_bytes(); pool: pool_bytes(). Neither is read here.
  FrameStore(const TransitionSchema& schema, std::byte* items, std::byte* pool, uint64_t capacity);

  std::size_t item_bytes() const { return item_bytes_; }
  uint64_t frame_capacity() const { return frames_; }
  // Most items one insert may hold uncommitted: their frames always fit the pool.
  uint64_t max_insert() const { return frames_ / (2 * k_); }
  std::byte* item(uint64_t key) const { return items_ + (key % capacity_) * item_bytes_; }

  // Writer state from the items of keys [begin, end): counts, free slots, an empty hash index.
  // O(capacity + frame capacity).
  void rebuild(uint64_t begin, uint64_t end);
  // Stores `record` as key's item. When no frame slot is free it calls evict_oldest(), which must
  // evict the oldest stored item and return its key (false: nothing evictable, then
  // std::logic_error). O(2k frames: hash + compare or copy).
  void put(uint64_t key, const std::byte* record, const std::function<std::optional<uint64_t>()>& evict_oldest);
  // key's item is no longer stored: its frames' counts drop (freed at zero). O(2k).
  void release(uint64_t key);
  // Rebuilds key's record into `record` (schema.record_bytes()). O(record bytes).
  void read(uint64_t key, std::byte* record) const;
  // Frame slots referenced by stored items now (writer state).
  uint64_t frames_in_use() const { return frames_ - free_.size(); }

 private:
  uint32_t frame_slot(const std::byte* frame, const std::function<std::optional<uint64_t>()>& evict_oldest);
  std::byte* frame(uint32_t slot) const { return pool_ + std::size_t{slot} * frame_bytes_; }

  std::size_t k_, frame_bytes_, item_bytes_, obs_off_, next_off_;
  std::vector<std::pair<std::size_t, std::size_t>> rest_;  // (offset, bytes) of the other fields
  uint64_t capacity_, frames_;
  std::byte *items_, *pool_;
  std::vector<uint32_t> refs_, free_, index_;  // per slot; free slots; hash -> slot + 1
};

}  // namespace shmrl::replay
