#include <algorithm>
#include <stdexcept>
#include <string>

#include "common/shm/checksum.h"
#include "common/shm/identity.h"
#include "common/shm/ring_copy.h"
#include "common/shm/spsc_ring.h"

// The consumer side of SpscRing (the producer side and the layout: spsc_ring.cpp).
namespace shmrl::shm {

using detail::checksum;
using detail::copy_record;
using detail::copy_run;
using detail::kChunk;

void SpscRing::copy_out(uint64_t first, std::size_t k, std::byte* dst) const {
  if (stride_ != record_bytes_) {
    for (std::size_t i = 0; i < k; ++i) copy_record(dst + i * record_bytes_, payload(first + i), record_bytes_);
    return;
  }
  const std::size_t run = before_wrap(first, k);
  copy_run(dst, payload(first), run * record_bytes_, record_bytes_);
  if (run < k) copy_run(dst + run * record_bytes_, payloads_, (k - run) * record_bytes_, record_bytes_);
}

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

}  // namespace shmrl::shm
