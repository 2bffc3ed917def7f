// SpscRing inside one process: layout, batch and zero-copy paths, wrap-around, verification,
// blocking with deadlines, and a two-thread stress that ThreadSanitizer checks.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "common/shm/spsc_ring.h"
#include "tests/common/shm_test_util.h"

using namespace shmrl;
using namespace std::chrono_literals;

using test::RingMemory;

TEST_CASE("ring: options are validated with clear messages", "[ring]") {
  CHECK_THROWS_WITH(shm::SpscRing::bytes_needed({0, 8}), Catch::Contains("record_bytes"));
  CHECK_THROWS_WITH(shm::SpscRing::bytes_needed({48, 12}), Catch::Contains("power of two"));
  CHECK_THROWS_WITH(shm::SpscRing::bytes_needed({48, 1}), Catch::Contains("capacity"));
  // Payloads packed at an 8-byte stride (the tag area starting on a cache line), then 8-byte tags.
  constexpr std::size_t kTags = 8 * sizeof(shm::RecordTag);
  CHECK(shm::SpscRing::bytes_needed({48, 8}) == sizeof(shm::RingHeader) + 8 * 48 + kTags);
  CHECK(shm::SpscRing::bytes_needed({49, 8}) == sizeof(shm::RingHeader) + 8 * 56 + kTags);
  CHECK(shm::SpscRing::bytes_needed({40, 2}) == sizeof(shm::RingHeader) + 128 + 2 * 8);
  RingMemory m({48, 8});
  CHECK_THROWS_AS(shm::SpscRing::create(m.mem, m.bytes - 1, {48, 8}), std::invalid_argument);
  CHECK_THROWS_AS(shm::SpscRing::attach(m.mem, m.bytes), std::runtime_error);  // not formatted
}

TEST_CASE("ring: single records, batches and wrap-around keep order and contents", "[ring]") {
  const shm::RingOptions o{40, 8};
  RingMemory m(o);
  auto ring = shm::SpscRing::create(m.mem, m.bytes, o);
  auto other = shm::SpscRing::attach(m.mem, m.bytes);
  CHECK(other.record_bytes() == 40);
  CHECK(other.capacity() == 8);
  ring.claim_producer();
  other.claim_consumer();
  std::vector<std::byte> buf(40 * 8);
  uint64_t next_in = 0, next_out = 0;
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const std::size_t n = rng() % 9;
    std::vector<std::byte> in(40 * n);
    for (std::size_t i = 0; i < n; ++i) test::fill_record(in.data() + 40 * i, 40, next_in + i);
    const std::size_t pushed = ring.try_push_batch(in.data(), n);
    CHECK(pushed == std::min<std::size_t>(n, 8 - (next_in - next_out)));
    next_in += pushed;
    const std::size_t popped = other.try_pop_batch(buf.data(), rng() % 9);
    for (std::size_t i = 0; i < popped; ++i) {
      REQUIRE(test::check_record(buf.data() + 40 * i, 40, next_out + i));
    }
    next_out += popped;
    CHECK(other.size() == next_in - next_out);
  }
  CHECK(ring.pushed() == next_in);
  CHECK(other.popped() == next_out);
  CHECK(other.corrupt_records() == 0);
  CHECK(ring.producer_alive());
  CHECK(ring.consumer_alive());
  CHECK(ring.producer_epoch() == 1);
}

TEST_CASE("ring: try_ variants never block, full and empty are reported", "[ring]") {
  const shm::RingOptions o{48, 4};
  RingMemory m(o);
  auto ring = shm::SpscRing::create(m.mem, m.bytes, o);
  std::byte rec[48] = {};
  const auto t0 = Clock::now();
  CHECK_FALSE(ring.try_pop(rec));
  for (int i = 0; i < 4; ++i) CHECK(ring.try_push(rec));
  CHECK_FALSE(ring.try_push(rec));
  CHECK(ring.try_push_batch(rec, 1) == 0);
  CHECK(ring.try_reserve(3) == 0);
  CHECK(Clock::now() - t0 < 1s);  // generous: only a blocking call could take this long
  CHECK(ring.size() == 4);
}

TEST_CASE("ring: zero-copy reserve/commit and peek/release", "[ring]") {
  const shm::RingOptions o{100, 8};
  RingMemory m(o);
  auto ring = shm::SpscRing::create(m.mem, m.bytes, o);
  ring.claim_producer();
  ring.claim_consumer();
  uint64_t next_in = 0, next_out = 0;
  for (int round = 0; round < 20; ++round) {
    const std::size_t r = ring.try_reserve(5);
    REQUIRE(r == std::min<uint64_t>(5, 8 - (next_in - next_out)));
    for (std::size_t i = 0; i < r; ++i) {
      REQUIRE(reinterpret_cast<uintptr_t>(ring.reserved(i)) % 8 == 0);
      test::fill_record(ring.reserved(i), 100, next_in + i);
    }
    ring.commit(r - (r > 0 ? 1 : 0));  // commit all but one: the last stays unpublished
    next_in += r - (r > 0 ? 1 : 0);
    const shm::ReadSpan span = ring.peek(3);
    CHECK(span.size() == std::min<uint64_t>(3, next_in - next_out));
    for (std::size_t i = 0; i < span.size(); ++i) {
      REQUIRE(test::check_record(span.record(i), 100, next_out + i));
    }
    ring.release(span.size());
    next_out += span.size();
  }
  CHECK(ring.try_reserve(2) > 0);
  CHECK_THROWS_AS(ring.commit(9), std::logic_error);
  CHECK_THROWS_AS(ring.release(9), std::logic_error);
  CHECK(ring.corrupt_records() == 0);
}

TEST_CASE("ring: a corrupted committed record is never handed out and is counted", "[ring]") {
  const shm::RingOptions o{48, 8};
  RingMemory m(o);
  auto ring = shm::SpscRing::create(m.mem, m.bytes, o);
  std::byte rec[48];
  for (uint64_t i = 0; i < 4; ++i) {
    test::fill_record(rec, 48, i);
    REQUIRE(ring.try_push(rec));
  }
  // Flip one payload byte of record 1 and the seq of record 2 behind the ring's back.
  m.mem[ring.payload_offset(1) + 5] ^= std::byte{1};
  m.mem[ring.tag_offset(2) + offsetof(shm::RecordTag, seq)] ^= std::byte{4};
  const shm::ReadSpan span = ring.peek(8);
  REQUIRE(span.size() == 1);  // stops before the bad record
  CHECK(test::check_record(span.record(0), 48, 0));
  CHECK_FALSE(ring.skip_corrupt());  // the tail record is fine
  ring.release(1);
  CHECK(ring.skip_corrupt());
  CHECK(ring.corrupt_records() == 1);
  // Copying pops drop the bad record by themselves.
  std::byte out[48 * 4];
  CHECK(ring.try_pop_batch(out, 4) == 1);
  CHECK(test::check_record(out, 48, 3));
  CHECK(ring.corrupt_records() == 2);
  CHECK(ring.size() == 0);
}

TEST_CASE("ring: blocking pop waits for a push and times out at its deadline", "[ring]") {
  const shm::RingOptions o{48, 4};
  RingMemory m(o);
  auto prod = shm::SpscRing::create(m.mem, m.bytes, o);
  auto cons = shm::SpscRing::attach(m.mem, m.bytes);
  std::byte rec[48];
  auto t0 = Clock::now();
  CHECK_FALSE(cons.pop(rec, deadline_in(50ms)));
  auto waited = Clock::now() - t0;
  CHECK(waited >= 50ms);
  CHECK(waited < 5s);
  CHECK(cons.pop_batch(rec, 1, deadline_in(10ms)) == 0);

  std::thread producer([&] {
    std::this_thread::sleep_for(30ms);
    std::byte r[48];
    test::fill_record(r, 48, 0);
    (void)prod.try_push(r);
  });
  t0 = Clock::now();
  const bool got = cons.pop(rec, deadline_in(10s));
  waited = Clock::now() - t0;
  producer.join();
  CHECK(got);
  CHECK(test::check_record(rec, 48, 0));
  CHECK(waited >= 20ms);  // it really waited for the push
  CHECK(waited < 5s);

  // Blocking push on a full ring: times out, then succeeds once the consumer makes room.
  for (uint64_t i = 0; i < 4; ++i) REQUIRE(prod.try_push(rec));
  t0 = Clock::now();
  CHECK_FALSE(prod.push(rec, deadline_in(30ms)));
  CHECK(Clock::now() - t0 >= 30ms);
  std::thread consumer([&] {
    std::this_thread::sleep_for(20ms);
    std::byte r[48 * 2];
    (void)cons.try_pop_batch(r, 2);
  });
  CHECK(prod.push_batch(rec, 1, deadline_in(10s)) == 1);
  consumer.join();
}

TEST_CASE("ring: two threads stream records through every path (TSan checks the protocol)",
          "[ring]") {
  const uint32_t bytes = 72;
  const shm::RingOptions o{bytes, 64};
  RingMemory m(o);
  auto prod = shm::SpscRing::create(m.mem, m.bytes, o);
  auto cons = shm::SpscRing::attach(m.mem, m.bytes);
  const uint64_t total = test::scaled(2'000'000);
  std::thread producer([&] {
    prod.claim_producer();
    std::mt19937 rng(11);
    std::vector<std::byte> batch(bytes * 16);
    uint64_t next = 0;
    while (next < total) {
      const std::size_t n = std::min<uint64_t>(1 + rng() % 16, total - next);
      if (rng() % 2 == 0) {
        for (std::size_t i = 0; i < n; ++i) test::fill_record(batch.data() + bytes * i, bytes, next + i);
        next += prod.push_batch(batch.data(), n, deadline_in(60s));
      } else {
        const std::size_t r = prod.try_reserve(n);
        for (std::size_t i = 0; i < r; ++i) test::fill_record(prod.reserved(i), bytes, next + i);
        prod.commit(r);
        next += r;
        if (r == 0) std::this_thread::yield();
      }
    }
  });
  cons.claim_consumer();
  std::mt19937 rng(12);
  std::vector<std::byte> out(bytes * 16);
  uint64_t next = 0;
  bool ok = true;
  const Deadline deadline = deadline_in(120s);
  while (next < total && ok && Clock::now() < deadline) {
    switch (rng() % 3) {
      case 0: {
        const std::size_t n = cons.pop_batch(out.data(), 1 + rng() % 16, deadline_in(1s));
        for (std::size_t i = 0; i < n; ++i) ok &= test::check_record(out.data() + bytes * i, bytes, next + i);
        next += n;
        break;
      }
      case 1: {
        const shm::ReadSpan span = cons.peek(1 + rng() % 16);
        for (std::size_t i = 0; i < span.size(); ++i) ok &= test::check_record(span.record(i), bytes, next + i);
        cons.release(span.size());
        next += span.size();
        break;
      }
      default:
        if (cons.try_pop(out.data())) ok &= test::check_record(out.data(), bytes, next++);
    }
  }
  producer.join();
  CHECK(ok);
  CHECK(next == total);
  CHECK(cons.popped() == total);
  CHECK(cons.corrupt_records() == 0);
}

TEST_CASE("ring: a producer killed mid-claim reads as dead, the next claim takes over", "[ring]") {
  const shm::RingOptions o{48, 4};
  RingMemory m(o);
  auto ring = shm::SpscRing::create(m.mem, m.bytes, o);
  CHECK_FALSE(ring.producer_alive());  // nobody claimed yet
  ring.claim_producer();
  const uint64_t epoch = ring.producer_epoch();
  // Simulate a claimer that died between its two epoch stores: odd epoch, half-written identity.
  auto* hdr = reinterpret_cast<shm::RingHeader*>(m.mem);
  hdr->producer_epoch.fetch_add(1);
  hdr->producer.start_ticks += 1;
  const auto t0 = Clock::now();
  CHECK_FALSE(ring.producer_alive());
  CHECK(Clock::now() - t0 < 1s);  // bounded wait, not a hang
  ring.claim_producer();
  CHECK(ring.producer_alive());
  CHECK(ring.producer_epoch() > epoch);
  CHECK(ring.producer_heartbeat_ns() > 0);
}
