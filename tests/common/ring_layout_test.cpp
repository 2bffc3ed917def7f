// SpscRing layout 3 in detail: packed and padded strides, chunked verification across the wrap,
// and the interleaved checksum agreeing with the one-record checksum for every small size.
#include <catch2/catch.hpp>

#include <cstddef>
#include <random>
#include <set>
#include <vector>

#include "common/shm/checksum.h"
#include "common/shm/spsc_ring.h"
#include "tests/common/shm_test_util.h"

using namespace shmrl;

using test::RingMemory;

TEST_CASE("ring checksums: four interleaved records equal four single ones, every size to 300 B",
          "[ring]") {
  std::mt19937_64 rng(7);
  std::vector<std::byte> buf(9 * 320);
  for (auto& b : buf) b = static_cast<std::byte>(rng());
  for (std::size_t n = 1; n <= 300; ++n) {
    for (std::size_t count : {1, 3, 4, 5, 9}) {
      const std::size_t stride = (n + 7) / 8 * 8;
      const uint64_t seq0 = (uint64_t{1} << 32) - 2 + n;  // crosses the 32-bit boundary
      uint32_t sums[9];
      shm::detail::checksums(buf.data(), stride, count, n, seq0, sums);
      for (std::size_t i = 0; i < count; ++i) {
        INFO("n = " << n << ", record " << i << " of " << count);
        REQUIRE(sums[i] == shm::detail::checksum(buf.data() + i * stride, n, seq0 + i));
      }
    }
  }
  // Seeded by seq: the same bytes a lap later do not verify.
  CHECK(shm::detail::checksum(buf.data(), 48, 5) != shm::detail::checksum(buf.data(), 48, 5 + 256));
}

TEST_CASE("ring layout: every record size survives wrap-around, chunking and corruption", "[ring]") {
  // Packed (multiples of 8) and padded strides, records shorter than one CRC word, and sizes on
  // both sides of the 240-byte CRC32C / XXH3 switch.
  const uint32_t bytes = GENERATE(5u, 13u, 24u, 48u, 100u, 240u, 248u, 1000u);
  const shm::RingOptions o{bytes, 256};
  RingMemory m(o);
  auto ring = shm::SpscRing::create(m.mem, m.bytes, o);
  const std::size_t stride = (bytes + 7) / 8 * 8;
  CHECK(ring.payload_offset(1) - ring.payload_offset(0) == stride);
  CHECK(ring.payload_offset(256) == ring.payload_offset(0));
  CHECK(ring.tag_offset(255) + sizeof(shm::RecordTag) <= m.bytes);

  std::vector<std::byte> in(std::size_t{bytes} * 256), out(std::size_t{bytes} * 256);
  auto push = [&](uint64_t first, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) test::fill_record(&in[i * bytes], bytes, first + i);
    REQUIRE(ring.try_push_batch(in.data(), n) == n);
  };
  push(0, 200);
  REQUIRE(ring.try_pop_batch(out.data(), 190) == 190);
  push(200, 230);  // records 200..429: slots 200..255, then 0..173
  // Corrupt records on both sides of the wrap and of 64-record chunk boundaries, payload or tag.
  const std::set<uint64_t> bad = {191, 254, 255, 256, 319, 320, 429};
  for (uint64_t r : bad) {
    if (r % 2 == 0) {
      m.mem[ring.payload_offset(r) + (r % bytes)] ^= std::byte{0x10};
    } else {
      m.mem[ring.tag_offset(r) + offsetof(shm::RecordTag, checksum)] ^= std::byte{1};
    }
  }
  // Zero-copy: peek stops at the first bad record.
  CHECK(ring.peek(256).size() == 1);  // 190 is fine, 191 is not
  // Copying pops hand out every good record in order and count the bad ones.
  std::size_t got = 0;
  uint64_t expect = 190;
  while (ring.size() > 0) {
    const std::size_t n = ring.try_pop_batch(out.data() + got * bytes, 97);
    for (std::size_t i = 0; i < n; ++i, ++expect) {
      while (bad.count(expect)) ++expect;
      INFO("record " << expect);
      REQUIRE(test::check_record(&out[(got + i) * bytes], bytes, expect));
    }
    got += n;
  }
  CHECK(got == 240 - bad.size());
  CHECK(ring.corrupt_records() == bad.size());

  // Zero-copy writes seal what was written in place, across the wrap.
  REQUIRE(ring.try_reserve(100) == 100);
  for (std::size_t i = 0; i < 100; ++i) test::fill_record(ring.reserved(i), bytes, 430 + i);
  ring.commit(100);
  const shm::ReadSpan span = ring.peek(100);
  REQUIRE(span.size() == 100);
  for (std::size_t i = 0; i < 100; ++i) REQUIRE(test::check_record(span.record(i), bytes, 430 + i));
  ring.release(100);
  CHECK(ring.corrupt_records() == bad.size());
}
