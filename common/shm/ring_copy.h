#pragma once
// Record copies of the SPSC ring (internal to common/shm: spsc_ring.cpp and spsc_ring_consumer.cpp,
// the producer and consumer sides, inline them into their record loops).
#include <cstddef>
#include <cstring>

#include "common/shm/checksum.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace shmrl::shm::detail {

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

}  // namespace shmrl::shm::detail
