#pragma once
// Record checksums of the SPSC ring and of the replay storage's records. Neither leaves its host,
// so writer and reader always agree on which function is used (replay checkpoints carry their own
// XXH64 and are re-sealed on load).
//   records up to 240 bytes: CRC32C (SSE4.2 crc32, one instruction per 8 bytes) seeded with the
//     record's seq; XXH3's short path on CPUs without SSE4.2;
//   larger records: XXH3 (the library's runtime-dispatched AVX2/AVX-512 code), low 32 bits.
// Header-only so the record loops inline it: this is on the per-record path of both ring ends.
#include <cstddef>
#include <cstdint>
#include <cstring>

// Small records: XXH3 inlined (no call, length known in registers). Large records: the library's
// runtime-dispatched XXH3 (AVX2/AVX-512 when the CPU has them) without building for -march=native.
#define XXH_INLINE_ALL
#include <xxhash.h>
extern "C" uint64_t XXH3_64bits_withSeed_dispatch(const void* input, std::size_t len, uint64_t seed);

namespace shmrl::shm::detail {

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
// crc32c_small of four records at p[0..3] with seqs seq[0..3], the four dependency chains
// interleaved.
[[gnu::always_inline]] inline void crc32c_small4(const std::byte* const* p, std::size_t n, const uint64_t* seq,
                                                 uint32_t* out) {
  uint64_t c[4];
  for (int r = 0; r < 4; ++r) c[r] = static_cast<uint32_t>(seq[r] ^ (seq[r] >> 32));
  uint64_t w[4];
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int r = 0; r < 4; ++r) std::memcpy(&w[r], p[r] + i, 8);
    for (int r = 0; r < 4; ++r) c[r] = crc32c_u64(c[r], w[r]);
  }
  if (i < n) {
    for (int r = 0; r < 4; ++r) {
      w[r] = 0;
      if (n >= 8) {
        std::memcpy(&w[r], p[r] + n - 8, 8);
      } else {
        std::memcpy(&w[r], p[r], n);
      }
      c[r] = crc32c_u64(c[r], w[r]);
    }
  }
  for (int r = 0; r < 4; ++r) out[r] = static_cast<uint32_t>(c[r]);
}
// Set before main (no ring is used by static initialisers); cpu_init makes that order-safe.
inline const bool kHasCrc32c = (__builtin_cpu_init(), __builtin_cpu_supports("sse4.2"));
#else
inline constexpr bool kHasCrc32c = false;
inline uint32_t crc32c_small(const std::byte*, std::size_t, uint64_t) { return 0; }
inline void crc32c_small4(const std::byte* const*, std::size_t, const uint64_t*, uint32_t*) {}
#endif

[[gnu::always_inline]] inline uint32_t checksum(const std::byte* payload, std::size_t n,
                                               uint64_t seq) {
  if (n <= kInlineHashMax && kHasCrc32c) return crc32c_small(payload, n, seq);
  const uint64_t h = n <= kInlineHashMax ? XXH3_64bits_withSeed(payload, n, seq)
                                         : XXH3_64bits_withSeed_dispatch(payload, n, seq);
  return static_cast<uint32_t>(h);
}

// Checksums of `count` records at p, p + stride, ... with seqs seq0, seq0 + 1, ...: out[i] ==
// checksum(p + i * stride, n, seq0 + i). Four CRC chains run interleaved: one chain is bound by the
// crc32 latency (3 cycles), four by its throughput (1 per cycle).
inline void checksums(const std::byte* p, std::size_t stride, std::size_t count, std::size_t n,
                      uint64_t seq0, uint32_t* out) {
  std::size_t i = 0;
  if (n <= kInlineHashMax && kHasCrc32c) {
    for (; i + 4 <= count; i += 4) {
      const std::byte* const q[4] = {p + i * stride, p + (i + 1) * stride, p + (i + 2) * stride, p + (i + 3) * stride};
      const uint64_t seq[4] = {seq0 + i, seq0 + i + 1, seq0 + i + 2, seq0 + i + 3};
      crc32c_small4(q, n, seq, out + i);
    }
  }
  for (; i < count; ++i) out[i] = checksum(p + i * stride, n, seq0 + i);
}

// The same for records anywhere: out[i] == checksum(p[i], n, seq[i]).
inline void checksums(const std::byte* const* p, const uint64_t* seq, std::size_t count, std::size_t n, uint32_t* out) {
  std::size_t i = 0;
  if (n <= kInlineHashMax && kHasCrc32c) {
    for (; i + 4 <= count; i += 4) crc32c_small4(p + i, n, seq + i, out + i);
  }
  for (; i < count; ++i) out[i] = checksum(p[i], n, seq[i]);
}

}  // namespace shmrl::shm::detail
