#pragma once
// Replay storage: segment seg::replay_storage() holding `capacity` records (TransitionSchema
// records, FIFO) and their raw priorities, plus the commit state, so the items outlive a SIGKILLed
// service and a restarted one re-attaches to them. Created by the replay service with the run's
// owner as owner; the service never unlinks it (the launcher removes the run's segments).
//
// Items are named by key = absolute insertion number; key k lives in slot k % capacity. The stored
// range is [begin, committed). Insert protocol (one writer thread):
//   1. begin_insert(n): if the n new items evict old ones, begin advances first (release), so a
//      crash while overwriting never leaves a half-overwritten item inside [begin, committed).
//   2. write records and priorities of keys committed .. committed + n - 1.
//   3. commit(n, actor, ring_pos, dropped): journal {committed + n, actor, ring_pos, dropped total},
//      then committed += n (release), then the dropped total and ring_pos[actor]. The caller then
//      releases the records from the actor's ring. On restart, attach() replays the journal if its
//      commit landed, so ring_pos[actor] tells exactly which ring records are already stored (or
//      dropped as bad): none is lost or stored twice whatever the instant of the crash.
// Accounting (accounted()): every ring record consumed is stored or dropped, so over the run
// sum(ring_pos) - ring_pos_adjust == (committed - restored) + dropped; a difference is a record
// lost (> 0) or stored twice (< 0).
// Also kept here for restarts: the rate limiter's diff, samples drawn and the running max priority.
// Record checksums: every stored record carries the ring's record checksum (common/shm/checksum.h)
// of its bytes seeded with its key, written at insert (seal) and checked before a sampler copies it
// into a batch and by the writer's background scrub; a record that fails it is marked corrupt (a
// per-slot flag, kept across service restarts) and counted in corrupt_stored, never trained on.
//
// Two layouts: whole records (slot = a TransitionSchema record), or, for stacked uint8 frames,
// frame-deduplicated items (replay/frame_store.h: an item names its frames in a frame pool); then
// the oldest items may be evicted before `capacity` is reached when the frames run out, and records
// are written and read only through write() / read().
//
// Threading: mutators from the service's writer thread with the service lock held; readers under
// the same lock. Other processes only read the header atomics (generation, committed).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/proc.h"
#include "common/run.h"
#include "common/schema.h"
#include "common/shm/segment.h"
#include "replay/frame_store.h"

namespace shmrl::replay {

inline constexpr uint64_t kStorageMagic = 0x73686d726c535452ull;  // "shmrlSTR"
inline constexpr uint32_t kStorageLayoutVersion = 3;
inline constexpr uint32_t kMaxActors = 1024;

struct alignas(64) StorageHeader {
  // Line 0: immutable once magic is set (stored last, release).
  std::atomic<uint64_t> magic;
  uint32_t layout_version;
  uint32_t record_bytes;
  uint64_t capacity;
  uint64_t schema_fingerprint;
  uint64_t records_offset;     // from the header
  uint64_t priorities_offset;  // float[capacity], from the header
  uint64_t ring_pos_offset;    // atomic<uint64_t>[kMaxActors], from the header
  uint64_t created_ns;
  // Line 1: commit state.
  alignas(64) std::atomic<uint64_t> begin;      // oldest stored key
  std::atomic<uint64_t> committed;              // next key; keys < committed are stored
  std::atomic<uint64_t> generation;             // 1 on creation, +1 per service (re)start
  std::atomic<uint64_t> samples;                // transitions sampled, ever
  std::atomic<double> limiter_diff;             // rate limiter state
  std::atomic<double> max_priority;             // running max of raw priorities
  ProcessId service;                            // the service process attached now
  // Line 2: the journal of the last commit (journal_committed = its committed + 1; 0 = none), and
  // the accounting totals.
  alignas(64) std::atomic<uint64_t> journal_committed;
  std::atomic<uint64_t> journal_actor;
  std::atomic<uint64_t> journal_ring_pos;
  std::atomic<uint64_t> journal_dropped;
  std::atomic<uint64_t> dropped;          // ring records consumed but refused (bad fields, checksum)
  std::atomic<uint64_t> restored;         // items loaded from a checkpoint, not from this run's rings
  std::atomic<int64_t> ring_pos_adjust;   // ring positions moved without consuming (replaced rings)
  uint64_t frames_offset;                 // the frame pool (frame_store.h) from the header; 0 when
                                          // records are stored whole
  // Line 3: record checksums.
  alignas(64) uint64_t checksums_offset;  // uint32_t[capacity] by slot, from the header
  uint64_t corrupt_offset;                // uint8_t[capacity] by slot: 1 = found corrupt
  std::atomic<uint64_t> corrupt_stored;   // stored records found corrupt (each counted once)
};
static_assert(sizeof(StorageHeader) == 4 * 64);

class Storage {
 public:
  static std::size_t bytes_needed(uint64_t capacity, std::size_t record_bytes);
  // The same for `schema`'s records, frame-deduplicated when `frames`.
  static std::size_t bytes_needed(uint64_t capacity, const TransitionSchema& schema, bool frames);
  // True if the run has a formatted storage segment (a previous service of this run created it).
  static bool found(const RunContext& run);
  // Removes the run's storage segment if it exists unformatted: its creator (a service of this run)
  // died mid-create, before anything was committed. Only the service calls this, before found().
  static void remove_unformatted(const RunContext& run);
  // Creates and formats the segment (generation 1, max_priority = initial_max_priority).
  // Throws shm::ShmSpaceError / std::runtime_error from the segment layer.
  // frames: frame-deduplicated items (precondition: FrameStore::applies(schema.obs_space())).
  static Storage create(const RunContext& run, uint64_t capacity, const TransitionSchema& schema,
                        double initial_max_priority, bool frames = false);
  // Attaches to the existing segment after a restart: checks it is formatted and has this capacity
  // and schema (std::runtime_error naming both values otherwise), replays the journal, bumps the
  // generation and registers the caller as the service.
  static Storage attach(const RunContext& run, uint64_t capacity, const TransitionSchema& schema);

  // Maps the existing segment without changing anything in it (tests and tools that inspect a
  // run's items). std::runtime_error if missing or unformatted.
  static Storage inspect(const RunContext& run, const TransitionSchema& schema);

  StorageHeader& header() const { return *hdr_; }
  uint64_t capacity() const { return capacity_; }
  std::size_t record_bytes() const { return record_bytes_; }
  uint64_t begin() const { return hdr_->begin.load(std::memory_order_acquire); }
  uint64_t committed() const { return hdr_->committed.load(std::memory_order_acquire); }
  uint64_t size() const { return committed() - begin(); }
  uint64_t generation() const { return hdr_->generation.load(std::memory_order_acquire); }
  // True if key is stored now. O(1).
  bool contains(uint64_t key) const { return key >= begin() && key < committed(); }

  // Whole-record layout only: key's record in place.
  std::byte* record(uint64_t key) const { return record_at_slot(key % capacity_); }
  std::byte* record_at_slot(uint64_t slot) const { return records_ + slot * record_bytes_; }
  // Frame-deduplicated layout (else null).
  const FrameStore* frames() const { return frames_.get(); }
  // key's record (stored) into `record` (record_bytes()). O(record bytes).
  void read(uint64_t key, std::byte* record) const;
  // Most items one begin_insert may announce.
  uint64_t max_insert() const { return frames_ ? std::min(capacity_, frames_->max_insert()) : capacity_; }
  float* priorities() const { return priorities_; }  // by slot
  float& priority(uint64_t key) const { return priorities_[key % capacity_]; }
  std::atomic<uint64_t>& ring_pos(uint32_t actor) const { return ring_pos_[actor]; }
  const uint32_t* checksums() const { return checksums_; }  // by slot

  // ---- record checksums (storage lock held) ----
  // Writes the checksums of keys [first_key, first_key + n), whose records are written, and clears
  // their corrupt flags (frame layout: write() did, from the whole record). O(n * record_bytes).
  void seal(uint64_t first_key, uint64_t n);
  // True if the record of `key` (stored in `slot` = key % capacity) matches its checksum (a record
  // marked corrupt fails it: it is never re-sealed). O(record_bytes).
  bool intact(uint64_t key, uint64_t slot) const;
  // Flags the record of `key` corrupt (and its checksum to fail on its present bytes); true (and
  // corrupt_stored + 1) the first time. O(record_bytes).
  bool mark_corrupt(uint64_t key);

  // ---- writer ----
  void begin_insert(uint64_t n);  // n <= max_insert()
  // Writes item `key` (in [committed, committed + n) of the last begin_insert(n)). Frame layout:
  // may evict the oldest stored items early (begin advances first, as in begin_insert).
  void write(uint64_t key, const std::byte* record);
  // Commits n inserted items and `dropped` refused records of `actor`'s ring, which is consumed up
  // to ring_pos (n = 0: only records dropped).
  void commit(uint64_t n, uint32_t actor, uint64_t ring_pos, uint64_t dropped = 0);
  // Moves an actor's ring position without consuming (its ring was replaced), counted in
  // ring_pos_adjust: journal invalidated first.
  void set_ring_pos(uint32_t actor, uint64_t ring_pos);
  // Replaces the whole contents (checkpoint restore): stored range [begin, end), records and
  // priorities already written by the caller through record()/priority().
  void set_range(uint64_t begin, uint64_t end);
  // Checkpoint restore into a fresh storage, frame layout: `record` becomes item `key` (the first
  // call starts the stored range at key; then key = committed()), committed at once; the oldest
  // items are evicted early as write() does. Finish with set_range(begin(), end).
  void restore_append(uint64_t key, const std::byte* record);

 private:
  Storage(shm::Segment seg, const TransitionSchema& schema);
  shm::Segment seg_;
  StorageHeader* hdr_;
  uint64_t capacity_;
  std::size_t record_bytes_;
  std::byte* records_;
  float* priorities_;
  std::atomic<uint64_t>* ring_pos_;
  uint32_t* checksums_;
  uint8_t* corrupt_;
  std::unique_ptr<FrameStore> frames_;
  // The checksum of key's record as it is now (frame layout: rebuilt first).
  uint32_t present_checksum(uint64_t key, uint64_t slot) const;
};

}  // namespace shmrl::replay
