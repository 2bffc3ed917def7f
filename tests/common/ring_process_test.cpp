// SpscRing between real processes over a real segment: 10^7 records with exact counts and contents,
// and a producer SIGKILLed mid-push 100 times whose restarts continue the same ring.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "common/proc.h"
#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"
#include "tests/common/shm_test_util.h"

using namespace shmrl;
using namespace std::chrono_literals;

namespace {

struct SharedRing {
  SharedRing(const std::string& run_id, const shm::RingOptions& o)
      : seg(shm::Segment::create(run_id, "ring", shm::SpscRing::bytes_needed(o))),
        ring(shm::SpscRing::create(seg.data(), seg.size(), o)) {}
  shm::Segment seg;
  shm::SpscRing ring;
};

// True if the slot of record `index` holds a partly written record: some of its payload words are
// already those of `index` but not all, or all are but its tag is not sealed yet.
bool torn_slot(const shm::Segment& seg, const shm::SpscRing& ring, uint64_t index) {
  const uint32_t bytes = ring.record_bytes();
  const std::byte* payload = seg.data() + ring.payload_offset(index);
  std::size_t matching = 0;
  for (std::size_t w = 0; w < bytes / 8; ++w) {
    const uint64_t v = test::record_word(index, w);
    matching += std::memcmp(payload + 8 * w, &v, 8) == 0;
  }
  shm::RecordTag t;
  std::memcpy(&t, seg.data() + ring.tag_offset(index), sizeof t);
  return (matching > 0 && matching < bytes / 8) ||
         (matching == bytes / 8 && t.seq != static_cast<uint32_t>(index));
}

// Writes record `index` in place like an actor writing field after field: first half, a 20 us
// pause, second half. Gives a SIGKILL a wide window inside a record.
void slow_fill(std::byte* out, uint32_t bytes, uint64_t index) {
  const uint32_t half = bytes / 16 * 8;
  std::vector<std::byte> rec(bytes);
  test::fill_record(rec.data(), bytes, index);
  std::memcpy(out, rec.data(), half);
  const Deadline until = Clock::now() + std::chrono::microseconds(20);
  while (Clock::now() < until) {
  }
  std::memcpy(out + half, rec.data() + half, bytes - half);
}

// Producer body for a child process: pushes records [pushed(), end) (end = ~0: forever), mixing
// copying batches and zero-copy writes (slow_fill when `slow`). Returns the exit status.
int produce(const std::string& run_id, uint64_t end, uint32_t seed, bool slow) {
  die_with_parent(SIGKILL);
  auto seg = shm::Segment::open(run_id, "ring");
  auto ring = shm::SpscRing::attach(seg.data(), seg.size());
  const uint32_t bytes = ring.record_bytes();
  std::mt19937 rng(seed);
  std::vector<std::byte> batch(std::size_t{bytes} * 256);
  ring.claim_producer();  // last: from here on the process only produces
  uint64_t next = ring.pushed();  // continue after the last committed record
  while (next < end) {
    const std::size_t want = std::min<uint64_t>(1 + rng() % 256, end - next);
    std::size_t done;
    if (!slow && rng() % 4 != 0) {
      for (std::size_t i = 0; i < want; ++i) test::fill_record(&batch[bytes * i], bytes, next + i);
      done = ring.push_batch(batch.data(), want, deadline_in(60s));
      if (done < want) return 2;  // consumer stalled for a minute
    } else {
      done = ring.try_reserve(want);
      for (std::size_t i = 0; i < done; ++i) {
        if (slow) {
          slow_fill(ring.reserved(i), bytes, next + i);
        } else {
          test::fill_record(ring.reserved(i), bytes, next + i);
        }
      }
      ring.commit(done);
    }
    next += done;
  }
  return 0;
}

}  // namespace

TEST_CASE("ring: two processes move 10^7 records with exact counts and contents", "[ring][process]") {
  test::RunGuard run;
  const shm::RingOptions o{48, 4096};
  SharedRing shared(run.id, o);
  shm::SpscRing& ring = shared.ring;
  ring.claim_consumer();
  const uint64_t total = test::scaled(10'000'000);
  const pid_t child = test::fork_child([&] { return produce(run.id, total, 1, false); });

  std::vector<std::byte> out(48 * 512);
  uint64_t next = 0, bad = 0;
  const Deadline deadline = deadline_in(120s);
  while (next < total && Clock::now() < deadline) {
    const std::size_t n = ring.pop_batch(out.data(), 512, deadline_in(1s));
    for (std::size_t i = 0; i < n; ++i) bad += !test::check_record(&out[48 * i], 48, next + i);
    next += n;
  }
  CHECK(test::wait_child(child) == 0);
  CHECK(next == total);
  CHECK(bad == 0);
  CHECK(ring.pushed() == total);
  CHECK(ring.popped() == total);
  CHECK(ring.size() == 0);
  CHECK(ring.corrupt_records() == 0);
  std::byte extra[48];
  CHECK_FALSE(ring.try_pop(extra));
}

TEST_CASE("ring: a producer SIGKILLed mid-push 100 times never hands over a torn record",
          "[ring][process]") {
  test::RunGuard run;
  // Large records written in place (zero-copy, slow_fill) by a producer slower than the consumer:
  // most kills land while a record is half-written or written but not yet committed.
  const uint32_t bytes = 4000;
  const shm::RingOptions o{bytes, 64};
  SharedRing shared(run.id, o);
  shm::SpscRing& ring = shared.ring;
  ring.claim_consumer();
  std::mt19937 rng(2024);
  std::vector<std::byte> out(std::size_t{bytes} * 64);
  uint64_t next = 0, bad = 0, deaths_seen = 0, torn_seen = 0;
  for (int round = 0; round < 100; ++round) {
    const pid_t child = test::fork_child([&] { return produce(run.id, ~uint64_t{0}, round, true); });
    // Kill at a random moment once this producer's records are flowing.
    const uint64_t round_start = next;
    const auto kill_after = std::chrono::microseconds(rng() % 2000);
    Deadline kill_at = Deadline::max();
    bool killed = false;
    // Consume while the producer runs, kill it, then drain what it committed.
    const Deadline deadline = deadline_in(60s);
    while (Clock::now() < deadline) {
      const std::size_t n = ring.try_pop_batch(out.data(), 1 + rng() % 64);
      for (std::size_t i = 0; i < n; ++i) bad += !test::check_record(&out[bytes * i], bytes, next + i);
      next += n;
      if (kill_at == Deadline::max() && next > round_start) kill_at = Clock::now() + kill_after;
      if (!killed && Clock::now() >= kill_at) {
        ::kill(child, SIGKILL);
        killed = true;
      }
      if (killed && !ring.producer_alive() && ring.size() == 0) break;
    }
    CHECK(next > round_start);
    deaths_seen += killed && !ring.producer_alive();
    CHECK(test::wait_child(child) == 128 + SIGKILL);
    torn_seen += torn_slot(shared.seg, ring, ring.pushed());
    // Whatever the dead producer left half-written is invisible: everything committed was drained.
    REQUIRE(ring.pushed() == next);
  }
  CHECK(deaths_seen == 100);
  // The test is only meaningful if kills really hit records in the making: about a third of them
  // do here (the exact share depends on scheduling; none in 100 would mean the test is broken).
  INFO("kills that left a torn record in the ring: " << torn_seen << " of 100");
  CHECK(torn_seen > 0);
  CHECK(bad == 0);
  CHECK(ring.corrupt_records() == 0);
  CHECK(ring.producer_epoch() == 100);
  // A last restarted producer continues the same ring exactly where the killed ones stopped.
  const uint64_t end = next + 1000;
  const pid_t child = test::fork_child([&] { return produce(run.id, end, 999, false); });
  while (next < end) {
    const std::size_t n = ring.pop_batch(out.data(), 64, deadline_in(30s));
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) bad += !test::check_record(&out[bytes * i], bytes, next + i);
    next += n;
  }
  CHECK(test::wait_child(child) == 0);
  CHECK(next == end);
  CHECK(bad == 0);
  CHECK_FALSE(ring.producer_alive());
  INFO("records moved across 101 producer lifetimes: " << next);
  CHECK(next > 1000);
}
