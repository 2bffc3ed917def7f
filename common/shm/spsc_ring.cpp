#include "common/shm/spsc_ring.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

#include "common/shm/checksum.h"
#include "common/shm/identity.h"
#include "common/shm/ring_copy.h"

namespace shmrl::shm {

namespace {

using detail::checksum;
using detail::copy_record;
using detail::copy_run;
using detail::kChunk;

constexpr uint64_t kRingMagic = 0x474e4952'4c524d53ull;  // "SMRLRING"
constexpr uint32_t kLayoutVersion = 3;  // 2: CRC32C for small records; 3: packed payloads + tags

uint64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

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
