#pragma once
// Single-producer single-consumer ring of fixed-size records inside shared memory.
//
// Layout (all offsets from the ring's base, nothing is a pointer): a header whose producer index,
// consumer index and liveness fields sit on separate cache lines; then the payload area, `capacity`
// records packed back to back at an 8-byte-aligned stride (48-byte records take 48 bytes); then the
// tag area, one 8-byte RecordTag {seq, checksum} per slot. Payloads are packed, and their tags kept
// apart, so that a batch moves as one contiguous copy: between two cores this path is bound by the
// bytes it moves, and every byte of per-record padding or header costs throughput one for one.
//
// Commit protocol: the producer fills slots (payload, then its tag: seq = absolute index and a
// checksum of the payload seeded with it) and only then publishes them with one release store of
// `head`; the consumer acquire-loads `head`, verifies seq and checksum, and release-stores `tail`. A
// producer killed anywhere before its head store leaves nothing visible, so no torn record is ever
// consumed. The indices live in the segment, so a restarted producer calls claim_producer() and
// continues after the last committed record.
//
// Cost: each side copies each record once and checksums it once: records up to 240 bytes with CRC32C
// (SSE4.2 crc32, one instruction per 8 bytes; XXH3 on CPUs without it), larger ones with XXH3 (~0.7 us
// for 28 KiB here); use the batch or zero-copy calls, which touch the shared indices once per call.
//
// Threading: producer calls from one thread of one process at a time; consumer calls likewise (one
// SpscRing object may serve a producer thread and a consumer thread at once); observers (size,
// alive checks) from anywhere.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/proc.h"
#include "common/time.h"

namespace shmrl::shm {

struct RingOptions {
  uint32_t record_bytes = 0;  // > 0
  uint32_t capacity = 0;      // slots; a power of two >= 2
};

// Per-slot integrity tag. The low 32 bits of seq suffice: a slot only ever holds its current record
// or the one a lap (capacity <= 2^30 records) before it, and the checksum is seeded with all 64 bits.
struct RecordTag {
  uint32_t seq;       // absolute index of the record in the ring's history, low 32 bits
  uint32_t checksum;  // of the payload, seeded with seq: CRC32C up to 240 bytes, else XXH3 (low 32)
};
static_assert(sizeof(RecordTag) == 8);

struct alignas(64) RingHeader {
  // Line 0: immutable after create().
  uint64_t magic;
  uint32_t layout_version;
  uint32_t record_bytes;
  uint32_t capacity;
  uint32_t record_stride;  // bytes between consecutive payloads: record_bytes rounded up to 8
  uint64_t created_ns;
  uint8_t pad0[32];
  // Line 1: written by the producer only.
  alignas(64) std::atomic<uint64_t> head;  // records committed (next seq to write)
  // Line 2: written by the consumer only.
  alignas(64) std::atomic<uint64_t> tail;  // records consumed
  // Line 3: producer identity; epoch bumps on every claim_producer().
  alignas(64) ProcessId producer;
  std::atomic<uint64_t> producer_epoch;
  std::atomic<uint64_t> producer_heartbeat_ns;
  // Line 4: consumer identity and counters the consumer keeps.
  alignas(64) ProcessId consumer;
  std::atomic<uint64_t> corrupt_records;  // records refused by seq/checksum (should stay 0)
  std::atomic<uint64_t> consumer_epoch;   // bumps on every claim_consumer()
};
static_assert(sizeof(RingHeader) == 5 * 64);
static_assert(offsetof(RingHeader, head) == 64 && offsetof(RingHeader, tail) == 128);
static_assert(offsetof(RingHeader, producer) == 192 && offsetof(RingHeader, consumer) == 256);
static_assert(std::atomic<uint64_t>::is_always_lock_free, "ring indices must be lock-free");

// Records that the consumer may read in place: `size()` records at consecutive indices.
class ReadSpan {
 public:
  std::size_t size() const { return n_; }
  // Payload of the i-th record (record_bytes bytes, 8-byte aligned). i < size().
  const std::byte* record(std::size_t i) const {
    return payloads_ + static_cast<std::size_t>((first_ + i) & mask_) * stride_;
  }

 private:
  friend class SpscRing;
  const std::byte* payloads_ = nullptr;
  uint64_t first_ = 0;
  uint32_t mask_ = 0, stride_ = 0;
  std::size_t n_ = 0;
};

class SpscRing {
 public:
  // Bytes of shared memory a ring with these options occupies. Throws std::invalid_argument on bad
  // options (record_bytes == 0, capacity not a power of two, overflow).
  static std::size_t bytes_needed(const RingOptions& opts);
  // Formats a new ring in [base, base + bytes). base 64-byte aligned; called once, by the creator.
  static SpscRing create(std::byte* base, std::size_t bytes, const RingOptions& opts);
  // Attaches to a formatted ring; validates magic, version and sizes (std::runtime_error if wrong).
  static SpscRing attach(std::byte* base, std::size_t bytes);

  uint32_t record_bytes() const { return record_bytes_; }
  uint32_t capacity() const { return mask_ + 1; }

  // ---- producer side ----
  // Registers the calling process as producer (pid, start time) and bumps the epoch. Call before
  // the first push, and again from a restarted producer: it continues at the committed head.
  void claim_producer();
  // Copies one record (record_bytes bytes) in and commits it. False if full. O(record_bytes).
  [[nodiscard]] bool try_push(const void* record) { return try_push_batch(record, 1) == 1; }
  // Copies up to n contiguous records in and commits them with one index store. Returns how many.
  [[nodiscard]] std::size_t try_push_batch(const void* records, std::size_t n);
  // Blocking push: waits for room until the deadline. False on timeout (nothing written).
  [[nodiscard]] bool push(const void* record, Deadline deadline);
  // Blocking batch push: pushes all n records (in batches, as room appears) unless the deadline
  // passes first. Returns how many were pushed (n unless timed out).
  [[nodiscard]] std::size_t push_batch(const void* records, std::size_t n, Deadline deadline);
  // Zero-copy write: up to n free slots (wrapping allowed); write payloads through reserved(i), then
  // commit(k) seals (seq, checksum) and publishes the first k of them.
  [[nodiscard]] std::size_t try_reserve(std::size_t n);
  // Payload of reserved slot i (record_bytes writable bytes, 8-byte aligned). i < try_reserve().
  std::byte* reserved(std::size_t i) { return payload(p_.head + i); }
  // k <= the last try_reserve() result.
  void commit(std::size_t k);
  // Stamps the heartbeat (cheap; the actor calls it once per step batch).
  void heartbeat();

  // ---- consumer side ----
  // Registers the calling process as consumer.
  void claim_consumer();
  // Copies one record out. False if empty. Copying pops drop (and count) records that fail
  // verification, so they only ever hand out verified records.
  [[nodiscard]] bool try_pop(void* out) { return try_pop_batch(out, 1) == 1; }
  // Copies up to max records out contiguously. Returns how many.
  [[nodiscard]] std::size_t try_pop_batch(void* out, std::size_t max);
  // Blocking pop with deadline. False on timeout.
  [[nodiscard]] bool pop(void* out, Deadline deadline);
  // Blocking batch pop: waits until at least one record is there (or the deadline passes), then
  // copies up to max out. Returns how many (0 on timeout).
  [[nodiscard]] std::size_t pop_batch(void* out, std::size_t max, Deadline deadline);
  // Zero-copy read of up to max verified records, then release(k) frees the first k. A record that
  // fails verification ends the span early; the consumer then calls skip_corrupt() (counted).
  // The span stays valid until release(); k <= the span's size.
  ReadSpan peek(std::size_t max);
  void release(std::size_t k);
  // Drops one record that failed verification at the tail. Returns false if the tail record is fine
  // (or there is none).
  bool skip_corrupt();
  // Whether the tail record is committed and fails verification (what skip_corrupt() would drop),
  // without dropping it: a consumer that journals its position records the skip first.
  bool tail_corrupt();

  // ---- observers (any thread, any process) ----
  std::size_t size() const;  // committed, not yet consumed (approximate under concurrency)
  uint64_t pushed() const;   // records ever committed
  uint64_t popped() const;   // records ever consumed
  uint64_t producer_epoch() const;  // number of claim_producer() calls so far
  uint64_t corrupt_records() const;
  // Steady-clock ns (CLOCK_MONOTONIC, comparable across processes) of the last heartbeat() or
  // claim_producer(); 0 if never.
  uint64_t producer_heartbeat_ns() const;
  // True while the registered producer process exists. False before any claim_producer().
  // Reads /proc: a few microseconds, so poll it, do not call it per record.
  bool producer_alive() const;
  bool consumer_alive() const;
  // Byte offsets from the ring's base of record `index`'s payload and tag: for tests and tools that
  // inspect a ring's memory.
  std::size_t payload_offset(uint64_t index) const;
  std::size_t tag_offset(uint64_t index) const;

 private:
  SpscRing(RingHeader* hdr);
  std::byte* payload(uint64_t index) const {
    return payloads_ + static_cast<std::size_t>(index & mask_) * stride_;
  }
  RecordTag* tag(uint64_t index) const { return tags_ + (index & mask_); }
  // How many of the k records from `first` lie before the ring's wrap (contiguous in memory).
  std::size_t before_wrap(uint64_t first, std::size_t k) const {
    return std::min<std::size_t>(k, std::size_t{mask_} + 1 - (first & mask_));
  }
  // Returns whether slot `index` holds the committed record `index` (seq and payload checksum).
  bool verify(uint64_t index) const;
  // How many of records [first, first + k) verify before the first that does not. Committed,
  // unconsumed records only.
  std::size_t verified(uint64_t first, std::size_t k) const;
  // Writes the tags of records [first, first + m) given their payload checksums.
  void write_tags(uint64_t first, std::size_t m, const uint32_t* sums);
  // Copies records [first, first + k) between the ring and contiguous memory, as at most two
  // contiguous copies when payloads are packed (stride == record_bytes).
  void copy_in(uint64_t first, std::size_t k, const std::byte* src);
  void copy_out(uint64_t first, std::size_t k, std::byte* dst) const;
  void publish(std::size_t k);  // makes the next k sealed slots visible (one release store)

  RingHeader* hdr_ = nullptr;
  std::byte* payloads_ = nullptr;
  RecordTag* tags_ = nullptr;
  uint32_t mask_ = 0, stride_ = 0, record_bytes_ = 0;
  // Process-local index copies, one cache line per side so a producer thread and a consumer thread
  // may share this object: the producer's exact head and last seen tail, the consumer's exact tail
  // and last seen head. The shared indices are only loaded when the cached ones say full / empty.
  struct alignas(64) Producer {
    uint64_t head = 0, tail_seen = 0;
    std::size_t reserved = 0;
  } p_;
  struct alignas(64) Consumer {
    uint64_t tail = 0, head_seen = 0;
  } c_;
};

}  // namespace shmrl::shm
