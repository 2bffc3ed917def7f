#include "common/shm/spsc_ring.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

#include "common/shm/identity.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Small records: XXH3 inlined (no call, length known in registers). Large records: the library's
// runtime-dispatched XXH3 (AVX2/AVX-512 when the CPU has them) without building for -march=native.
#define XXH_INLINE_ALL
#include <xxhash.h>
extern "C" uint64_t XXH3_64bits_withSeed_dispatch(const void* input, std::size_t len, uint64_t seed);

namespace shmrl::shm {

namespace {

constexpr uint64_t kRingMagic = 0x474e4952'4c524d53ull;  // "SMRLRING"
constexpr uint32_t kLayoutVersion = 2;  // 2: CRC32C checksums for small records
constexpr std::size_t kInlineHashMax = 240;  // XXH3's short-input paths end here

#if defined(__x86_64__)
// CRC32C (SSE4.2 crc32 instruction) of a small payload, started from seq: 6 instructions for 48
// bytes against ~65 for XXH3's short path, paid per record on both sides. Inline asm so it inlines
// into the record loops of this baseline-x86-64 build; used only when the CPU has SSE4.2 (a ring
// never leaves its host, so producer and consumer agree on the checksum).
[[gnu::always_inline]] inline uint64_t crc32c_u64(uint64_t crc, uint64_t word) {
  asm("crc32q %1, %0" : "+r"(crc) : "rm"(word));
  return crc;
}
[[gnu::always_inline]] inline uint32_t crc32c_small(const std::byte* p, std::size_t n,
                                                    uint64_t seq) {
  uint64_t c = static_cast<uint32_t>(seq ^ (seq >> 32));
  uint64_t w;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::memcpy(&w, p + i, 8);
    c = crc32c_u64(c, w);
  }
  if (i < n) {  // n % 8 bytes left: the last 8 bytes (overlapping), or zero-padded when n < 8
    w = 0;
    if (n >= 8) {
      std::memcpy(&w, p + n - 8, 8);
    } else {
      std::memcpy(&w, p, n);
    }
    c = crc32c_u64(c, w);
  }
  return static_cast<uint32_t>(c);
}
// Set before main (no ring is used by static initialisers); cpu_init makes that order-safe.
const bool kHasCrc32c = (__builtin_cpu_init(), __builtin_cpu_supports("sse4.2"));
#else
constexpr bool kHasCrc32c = false;
inline uint32_t crc32c_small(const std::byte*, std::size_t, uint64_t) { return 0; }
#endif

[[gnu::always_inline]] inline uint32_t checksum(const std::byte* payload, std::size_t n,
                                               uint64_t seq) {
  if (n <= kInlineHashMax && kHasCrc32c) return crc32c_small(payload, n, seq);
  const uint64_t h = n <= kInlineHashMax ? XXH3_64bits_withSeed(payload, n, seq)
                                         : XXH3_64bits_withSeed_dispatch(payload, n, seq);
  return static_cast<uint32_t>(h);
}

// Copies one record. Small records (CartPole-sized) are copied with inline 16-byte moves: a libc
// memcpy call per 48-byte record costs about as much as the copy itself.
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

uint32_t slot_bytes_for(uint32_t record_bytes) {
  return static_cast<uint32_t>((sizeof(SlotHeader) + record_bytes + 63) / 64 * 64);
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
  const std::size_t slot = slot_bytes_for(opts.record_bytes);
  if (slot > (std::numeric_limits<std::size_t>::max() - sizeof(RingHeader)) / opts.capacity) {
    throw std::invalid_argument("ring capacity * record_bytes overflows");
  }
  return sizeof(RingHeader) + slot * opts.capacity;
}

SpscRing::SpscRing(RingHeader* hdr, std::byte* slots)
    : hdr_(hdr),
      slots_(slots),
      mask_(hdr->capacity - 1),
      slot_bytes_(hdr->slot_bytes),
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
  h->slot_bytes = slot_bytes_for(opts.record_bytes);
  h->created_ns = steady_ns();
  // Slots need no initialisation: seq + checksum reject whatever bytes are there.
  std::atomic_ref<uint64_t>(h->magic).store(kRingMagic, std::memory_order_release);
  return SpscRing(h, base + sizeof(RingHeader));
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
  if (h->slot_bytes != slot_bytes_for(h->record_bytes) || bytes < need) {
    throw std::runtime_error("SpscRing::attach: header sizes do not match the segment (" +
                             std::to_string(bytes) + " bytes, ring needs " + std::to_string(need) +
                             ")");
  }
  return SpscRing(h, base + sizeof(RingHeader));
}

// ---- producer ----

void SpscRing::claim_producer() {
  claim_identity(hdr_->producer, hdr_->producer_epoch);
  p_.head = hdr_->head.load(std::memory_order_acquire);
  p_.tail_seen = hdr_->tail.load(std::memory_order_acquire);
  p_.reserved = 0;
  heartbeat();
}

void SpscRing::seal(uint64_t seq) { seal_from(seq, slot(seq) + sizeof(SlotHeader)); }

void SpscRing::seal_from(uint64_t seq, const std::byte* payload) {
  const SlotHeader sh{seq, checksum(payload, record_bytes_, seq), record_bytes_};
  std::memcpy(slot(seq), &sh, sizeof sh);
}

// flatten: XXH3's short-input path inlines into the record loops (no call per record; the length
// branches are the same every time and predict perfectly).
[[gnu::flatten]] std::size_t SpscRing::try_push_batch(const void* records, std::size_t n) {
  const std::size_t k = try_reserve(n);
  if (k == 0) return 0;
  const auto* src = static_cast<const std::byte*>(records);
  for (std::size_t i = 0; i < k; ++i) {
    // Hash the caller's copy, not the slot: reading back the just-stored slot bytes stalls on
    // store forwarding (and on the slot's cache line, which the consumer may still hold); measured
    // at 48 B this alone took the ring from ~70 to ~230 M records/s.
    const std::byte* rec = src + i * record_bytes_;
    copy_record(reserved(i), rec, record_bytes_);
    seal_from(p_.head + i, rec);
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
  for (std::size_t i = 0; i < k; ++i) seal(p_.head + i);
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
  const std::byte* s = slot(index);
  SlotHeader sh;
  std::memcpy(&sh, s, sizeof sh);
  return sh.seq == index && sh.bytes == record_bytes_ &&
         sh.checksum == checksum(s + sizeof(SlotHeader), record_bytes_, index);
}

[[gnu::flatten]] std::size_t SpscRing::try_pop_batch(void* out, std::size_t max) {
  if (c_.head_seen - c_.tail < max) c_.head_seen = hdr_->head.load(std::memory_order_acquire);
  const std::size_t k = static_cast<std::size_t>(std::min<uint64_t>(max, c_.head_seen - c_.tail));
  if (k == 0) return 0;
  auto* dst = static_cast<std::byte*>(out);
  std::size_t good = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const uint64_t seq = c_.tail + i;
    const std::byte* s = slot(seq);
    SlotHeader sh;
    std::memcpy(&sh, s, sizeof sh);
    // Hash the slot, then copy it: the slot cannot change before tail moves past it, so the
    // copy is the verified bytes; hashing the fresh copy instead would stall on store forwarding.
    const std::byte* payload = s + sizeof(SlotHeader);
    std::byte* d = dst + good * record_bytes_;
    const bool ok = sh.seq == seq && sh.bytes == record_bytes_ &&
                    sh.checksum == checksum(payload, record_bytes_, seq);
    copy_record(d, payload, record_bytes_);
    if (ok) {
      ++good;
    } else {
      hdr_->corrupt_records.fetch_add(1, std::memory_order_relaxed);
    }
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

ReadSpan SpscRing::peek(std::size_t max) {
  if (c_.head_seen - c_.tail < max) c_.head_seen = hdr_->head.load(std::memory_order_acquire);
  const std::size_t k = static_cast<std::size_t>(std::min<uint64_t>(max, c_.head_seen - c_.tail));
  ReadSpan span;
  span.slots_ = slots_;
  span.first_ = c_.tail;
  span.mask_ = mask_;
  span.slot_bytes_ = slot_bytes_;
  while (span.n_ < k && verify(c_.tail + span.n_)) ++span.n_;
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

bool SpscRing::skip_corrupt() {
  if (c_.head_seen == c_.tail) c_.head_seen = hdr_->head.load(std::memory_order_acquire);
  if (c_.head_seen == c_.tail || verify(c_.tail)) return false;
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

}  // namespace shmrl::shm
