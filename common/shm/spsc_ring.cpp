#include "common/shm/spsc_ring.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

#include "common/shm/checksum.h"
#include "common/shm/identity.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace shmrl::shm {

namespace {

using detail::checksum;
using detail::kInlineHashMax;

constexpr uint64_t kRingMagic = 0x474e4952'4c524d53ull;  // "SMRLRING"
constexpr uint32_t kLayoutVersion = 3;  // 2: CRC32C for small records; 3: packed payloads + tags

// Copies one record. Small records (CartPole-sized) are copied with inline 16-byte moves: a libc
// memcpy call per 48-byte record costs about as much as the copy itself. Runs of records go through
// copy_run instead.
[[gnu::always_inline]] inline void copy_record(std::byte* dst, const std::byte* src, std::size_t n) {
#if defined(__SSE2__)
  if (n >= 16 && n <= kInlineHashMax) {
    for (std::size_t i = 0; i + 16 < n; i += 16) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
    }
    // The last 16 bytes, overlapping the previous chunk when n is not a multiple of 16.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n - 16),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n - 16)));
    return;
  }
#endif
  std::memcpy(dst, src, n);
}

uint64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Copies a contiguous run of packed records. Short runs inline; long ones through libc's memcpy,
// whose `rep movsb` writes whole cache lines (measured: ~2x the records/s of a 16-byte move loop
// when the lines are then read by another core).
constexpr std::size_t kInlineRunMax = 256;
[[gnu::always_inline]] inline void copy_run(std::byte* dst, const std::byte* src, std::size_t n,
                                            std::size_t record_bytes) {
  if (n <= kInlineRunMax && record_bytes <= kInlineHashMax) {
    for (std::size_t o = 0; o < n; o += record_bytes) copy_record(dst + o, src + o, record_bytes);
  } else {
    std::memcpy(dst, src, n);
  }
}

// Records checksummed per call of detail::checksums (a stack array of their sums).
constexpr std::size_t kChunk = 64;

// Records of a multiple of 8 bytes (every transition schema's) are packed with no gap.
uint32_t stride_for(uint32_t record_bytes) { return (record_bytes + 7) / 8 * 8; }

// Payload area size, rounded so the tag area starts on a cache line.
std::size_t payload_area(uint32_t stride, uint32_t capacity) {
  return (std::size_t{stride} * capacity + 63) / 64 * 64;
}

}  // namespace

std::size_t SpscRing::bytes_needed(const RingOptions& opts) {
  if (opts.record_bytes == 0 || opts.record_bytes > (1u << 30)) {
    throw std::invalid_argument("ring record_bytes = " + std::to_string(opts.record_bytes) +
                                ": must be in [1, 2^30]");
  }
  if (opts.capacity < 2 || opts.capacity > (1u << 30) ||
      (opts.capacity & (opts.capacity - 1)) != 0) {
    throw std::invalid_argument("ring capacity = " + std::to_string(opts.capacity) +
                                ": must be a power of two in [2, 2^30]");
  }
  const std::size_t per_slot = stride_for(opts.record_bytes) + sizeof(RecordTag);
  if (per_slot > (std::numeric_limits<std::size_t>::max() - sizeof(RingHeader) - 64) / opts.capacity) {
    throw std::invalid_argument("ring capacity * record_bytes overflows");
  }
  return sizeof(RingHeader) + payload_area(stride_for(opts.record_bytes), opts.capacity) +
         sizeof(RecordTag) * std::size_t{opts.capacity};
}

SpscRing::SpscRing(RingHeader* hdr)
    : hdr_(hdr),
      payloads_(reinterpret_cast<std::byte*>(hdr) + sizeof(RingHeader)),
      tags_(reinterpret_cast<RecordTag*>(payloads_ + payload_area(hdr->record_stride, hdr->capacity))),
      mask_(hdr->capacity - 1),
      stride_(hdr->record_stride),
      record_bytes_(hdr->record_bytes) {
  p_.head = hdr_->head.load(std::memory_order_acquire);
  p_.tail_seen = c_.tail = hdr_->tail.load(std::memory_order_acquire);
  c_.head_seen = p_.head;
}

SpscRing SpscRing::create(std::byte* base, std::size_t bytes, const RingOptions& opts) {
  const std::size_t need = bytes_needed(opts);
  if (reinterpret_cast<uintptr_t>(base) % 64 != 0) {
    throw std::invalid_argument("SpscRing::create: base must be 64-byte aligned");
  }
  if (bytes < need) {
    throw std::invalid_argument("SpscRing::create: " + std::to_string(bytes) +
                                " bytes given, the ring needs " + std::to_string(need));
  }
  auto* h = new (base) RingHeader{};
  h->layout_version = kLayoutVersion;
  h->record_bytes = opts.record_bytes;
  h->capacity = opts.capacity;
  h->record_stride = stride_for(opts.record_bytes);
  h->created_ns = steady_ns();
  // Slots need no initialisation: seq + checksum reject whatever bytes are there.
  std::atomic_ref<uint64_t>(h->magic).store(kRingMagic, std::memory_order_release);
  return SpscRing(h);
}

SpscRing SpscRing::attach(std::byte* base, std::size_t bytes) {
  auto* h = reinterpret_cast<RingHeader*>(base);
  if (bytes < sizeof(RingHeader) ||
      std::atomic_ref<uint64_t>(h->magic).load(std::memory_order_acquire) != kRingMagic) {
    throw std::runtime_error("SpscRing::attach: no ring at this address (bad magic)");
  }
  if (h->layout_version != kLayoutVersion) {
    throw std::runtime_error("SpscRing::attach: ring layout version " +
                             std::to_string(h->layout_version) + ", this build reads " +
                             std::to_string(kLayoutVersion));
  }
  const RingOptions opts{h->record_bytes, h->capacity};
  std::size_t need = 0;
  try {
    need = bytes_needed(opts);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("SpscRing::attach: corrupt header: ") + e.what());
  }
  if (h->record_stride != stride_for(h->record_bytes) || bytes < need) {
    throw std::runtime_error("SpscRing::attach: header sizes do not match the segment (" +
                             std::to_string(bytes) + " bytes, ring needs " + std::to_string(need) +
                             ")");
  }
  return SpscRing(h);
}

// ---- producer ----

void SpscRing::claim_producer() {
  claim_identity(hdr_->producer, hdr_->producer_epoch);
  p_.head = hdr_->head.load(std::memory_order_acquire);
  p_.tail_seen = hdr_->tail.load(std::memory_order_acquire);
  p_.reserved = 0;
  heartbeat();
}

void SpscRing::write_tags(uint64_t first, std::size_t m, const uint32_t* sums) {
  for (std::size_t j = 0; j < m; ++j) *tag(first + j) = RecordTag{static_cast<uint32_t>(first + j), sums[j]};
}

void SpscRing::copy_in(uint64_t first, std::size_t k, const std::byte* src) {
  if (stride_ != record_bytes_) {
    for (std::size_t i = 0; i < k; ++i) copy_record(payload(first + i), src + i * record_bytes_, record_bytes_);
    return;
  }
  const std::size_t run = before_wrap(first, k);
  copy_run(payload(first), src, run * record_bytes_, record_bytes_);
  if (run < k) copy_run(payloads_, src + run * record_bytes_, (k - run) * record_bytes_, record_bytes_);
}

void SpscRing::copy_out(uint64_t first, std::size_t k, std::byte* dst) const {
  if (stride_ != record_bytes_) {
    for (std::size_t i = 0; i < k; ++i) copy_record(dst + i * record_bytes_, payload(first + i), record_bytes_);
    return;
  }
  const std::size_t run = before_wrap(first, k);
  copy_run(dst, payload(first), run * record_bytes_, record_bytes_);
  if (run < k) copy_run(dst + run * record_bytes_, payloads_, (k - run) * record_bytes_, record_bytes_);
}

// flatten: the checksum inlines into the record loops (no call per record).
[[gnu::flatten]] std::size_t SpscRing::try_push_batch(const void* records, std::size_t n) {
  const std::size_t k = try_reserve(n);
  if (k == 0) return 0;
  const auto* src = static_cast<const std::byte*>(records);
  // Tags are hashed from the caller's copy, not the slots: reading back just-stored bytes stalls on
  // store forwarding (and on lines the consumer may still hold).
  uint32_t sums[kChunk];
  for (std::size_t i = 0; i < k; i += kChunk) {
    const std::size_t m = std::min(kChunk, k - i);
    copy_in(p_.head + i, m, src + i * record_bytes_);
    detail::checksums(src + i * record_bytes_, record_bytes_, m, record_bytes_, p_.head + i, sums);
    write_tags(p_.head + i, m, sums);
  }
  publish(k);
  return k;
}

void SpscRing::publish(std::size_t k) {
  p_.head += k;
  p_.reserved = 0;
  hdr_->head.store(p_.head, std::memory_order_release);  // the commit point
}

std::size_t SpscRing::try_reserve(std::size_t n) {
  const uint64_t cap = uint64_t{mask_} + 1;
  if (cap - (p_.head - p_.tail_seen) < n) {
    p_.tail_seen = hdr_->tail.load(std::memory_order_acquire);
  }
  p_.reserved = static_cast<std::size_t>(std::min<uint64_t>(n, cap - (p_.head - p_.tail_seen)));
  return p_.reserved;
}

void SpscRing::commit(std::size_t k) {
  if (k > p_.reserved) {
    throw std::logic_error("SpscRing::commit(" + std::to_string(k) + ") exceeds the " +
                           std::to_string(p_.reserved) + " reserved slots");
  }
  if (k == 0) {
    p_.reserved = 0;
    return;
  }
  uint32_t sums[kChunk];
  for (std::size_t i = 0; i < k;) {
    const uint64_t seq = p_.head + i;
    const std::size_t m = std::min(kChunk, before_wrap(seq, k - i));
    detail::checksums(payload(seq), stride_, m, record_bytes_, seq, sums);
    write_tags(seq, m, sums);
    i += m;
  }
  publish(k);
}

bool SpscRing::push(const void* record, Deadline deadline) {
  return push_batch(record, 1, deadline) == 1;
}

std::size_t SpscRing::push_batch(const void* records, std::size_t n, Deadline deadline) {
  const auto* src = static_cast<const std::byte*>(records);
  std::size_t done = 0;
  Backoff backoff;
  while (done < n) {
    const std::size_t k = try_push_batch(src + done * record_bytes_, n - done);
    done += k;
    if (k > 0) {
      backoff.reset();
    } else if (Clock::now() >= deadline) {
      break;
    } else {
      backoff.pause();
    }
  }
  return done;
}

void SpscRing::heartbeat() {
  hdr_->producer_heartbeat_ns.store(steady_ns(), std::memory_order_relaxed);
}

// ---- consumer ----

void SpscRing::claim_consumer() {
  claim_identity(hdr_->consumer, hdr_->consumer_epoch);
  c_.tail = hdr_->tail.load(std::memory_order_acquire);
  c_.head_seen = hdr_->head.load(std::memory_order_acquire);
}

bool SpscRing::verify(uint64_t index) const {
  const RecordTag t = *tag(index);
  return t.seq == static_cast<uint32_t>(index) &&
         t.checksum == checksum(payload(index), record_bytes_, index);
}

[[gnu::flatten]] std::size_t SpscRing::try_pop_batch(void* out, std::size_t max) {
  if (c_.head_seen - c_.tail < max) c_.head_seen = hdr_->head.load(std::memory_order_acquire);
  const std::size_t k = static_cast<std::size_t>(std::min<uint64_t>(max, c_.head_seen - c_.tail));
  if (k == 0) return 0;
  auto* dst = static_cast<std::byte*>(out);
  // Verify a chunk of slots, then copy it: a slot cannot change before tail moves past it, so the
  // copy holds the verified bytes. Chunks keep the verified lines in L1 for the copy.
  std::size_t good = 0;
  for (std::size_t i = 0; i < k;) {
    const uint64_t seq = c_.tail + i;
    const std::size_t m = std::min(kChunk, before_wrap(seq, k - i));
    if (verified(seq, m) == m) {
      copy_out(seq, m, dst + good * record_bytes_);
      good += m;
    } else {
      for (std::size_t j = 0; j < m; ++j) {
        if (verify(seq + j)) {
          copy_record(dst + good++ * record_bytes_, payload(seq + j), record_bytes_);
        } else {
          hdr_->corrupt_records.fetch_add(1, std::memory_order_relaxed);
        }
      }
    }
    i += m;
  }
  c_.tail += k;
  hdr_->tail.store(c_.tail, std::memory_order_release);
  return good;
}

bool SpscRing::pop(void* out, Deadline deadline) { return pop_batch(out, 1, deadline) == 1; }

std::size_t SpscRing::pop_batch(void* out, std::size_t max, Deadline deadline) {
  Backoff backoff;
  for (;;) {
    if (const std::size_t k = try_pop_batch(out, max); k > 0) return k;
    if (Clock::now() >= deadline) return 0;
    backoff.pause();
  }
}

std::size_t SpscRing::verified(uint64_t first, std::size_t k) const {
  uint32_t sums[kChunk];
  for (std::size_t i = 0; i < k;) {
    // Up to kChunk records, not across the wrap: their payloads are evenly spaced.
    const uint64_t seq = first + i;
    const std::size_t m = std::min(kChunk, before_wrap(seq, k - i));
    detail::checksums(payload(seq), stride_, m, record_bytes_, seq, sums);
    for (std::size_t j = 0; j < m; ++j) {
      const RecordTag t = *tag(seq + j);
      if (t.seq != static_cast<uint32_t>(seq + j) || t.checksum != sums[j]) return i + j;
    }
    i += m;
  }
  return k;
}

ReadSpan SpscRing::peek(std::size_t max) {
  if (c_.head_seen - c_.tail < max) c_.head_seen = hdr_->head.load(std::memory_order_acquire);
  const std::size_t k = static_cast<std::size_t>(std::min<uint64_t>(max, c_.head_seen - c_.tail));
  ReadSpan span;
  span.payloads_ = payloads_;
  span.first_ = c_.tail;
  span.mask_ = mask_;
  span.stride_ = stride_;
  span.n_ = verified(c_.tail, k);
  return span;
}

void SpscRing::release(std::size_t k) {
  if (k > c_.head_seen - c_.tail) {
    throw std::logic_error("SpscRing::release(" + std::to_string(k) + ") beyond the peeked records");
  }
  if (k == 0) return;
  c_.tail += k;
  hdr_->tail.store(c_.tail, std::memory_order_release);
}

bool SpscRing::tail_corrupt() {
  if (c_.head_seen == c_.tail) c_.head_seen = hdr_->head.load(std::memory_order_acquire);
  return c_.head_seen != c_.tail && !verify(c_.tail);
}

bool SpscRing::skip_corrupt() {
  if (!tail_corrupt()) return false;
  hdr_->corrupt_records.fetch_add(1, std::memory_order_relaxed);
  ++c_.tail;
  hdr_->tail.store(c_.tail, std::memory_order_release);
  return true;
}

// ---- observers ----

std::size_t SpscRing::size() const {
  const uint64_t t = hdr_->tail.load(std::memory_order_acquire);  // tail first: head >= it
  return static_cast<std::size_t>(hdr_->head.load(std::memory_order_acquire) - t);
}
uint64_t SpscRing::pushed() const { return hdr_->head.load(std::memory_order_acquire); }
uint64_t SpscRing::popped() const { return hdr_->tail.load(std::memory_order_acquire); }
uint64_t SpscRing::producer_epoch() const {
  return hdr_->producer_epoch.load(std::memory_order_acquire) / 2;
}
uint64_t SpscRing::corrupt_records() const {
  return hdr_->corrupt_records.load(std::memory_order_relaxed);
}
uint64_t SpscRing::producer_heartbeat_ns() const {
  return hdr_->producer_heartbeat_ns.load(std::memory_order_relaxed);
}
bool SpscRing::producer_alive() const {
  return read_identity(hdr_->producer, hdr_->producer_epoch).alive();
}
bool SpscRing::consumer_alive() const {
  return read_identity(hdr_->consumer, hdr_->consumer_epoch).alive();
}
std::size_t SpscRing::payload_offset(uint64_t index) const {
  return static_cast<std::size_t>(payload(index) - reinterpret_cast<std::byte*>(hdr_));
}
std::size_t SpscRing::tag_offset(uint64_t index) const {
  return static_cast<std::size_t>(reinterpret_cast<std::byte*>(tag(index)) -
                                  reinterpret_cast<std::byte*>(hdr_));
}

}  // namespace shmrl::shm
