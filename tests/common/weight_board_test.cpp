// WeightBoard: validation, versions, and one writer racing 8 reader processes that must never see
// a blob mixing two versions.
#include <catch2/catch.hpp>

#include <sys/mman.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/shm/segment.h"
#include "common/shm/weight_board.h"
#include "tests/common/shm_test_util.h"

using namespace shmrl;
using namespace std::chrono_literals;

namespace {

// A blob whose every 8-byte word equals its version (the last word may be partial).
std::vector<std::byte> blob_of(uint64_t version, std::size_t bytes) {
  std::vector<std::byte> b(bytes);
  for (std::size_t off = 0; off < bytes; off += 8) {
    std::memcpy(b.data() + off, &version, std::min<std::size_t>(8, bytes - off));
  }
  return b;
}

bool is_blob_of(const std::vector<std::byte>& b, uint64_t version) {
  return b == blob_of(version, b.size());
}

}  // namespace

TEST_CASE("weight board: versions, sizes and validation", "[weights]") {
  test::RunGuard run;
  CHECK_THROWS_WITH(shm::WeightBoard::bytes_needed(0), Catch::Contains("max_blob_bytes"));
  auto seg = shm::Segment::create(run.id, "weights", shm::WeightBoard::bytes_needed(1000));
  auto board = shm::WeightBoard::create(seg.data(), seg.size(), 1000);
  CHECK(board.max_blob_bytes() == 1000);
  CHECK_THROWS_AS(shm::WeightBoard::attach(seg.data() + 64, 128), std::runtime_error);
  auto reader = shm::WeightBoard::attach(seg.data(), seg.size());
  std::vector<std::byte> out;
  CHECK(reader.latest_version() == 0);
  CHECK_FALSE(reader.read(out, deadline_in(10ms)).has_value());

  board.publish(blob_of(5, 1000).data(), 1000, 5);
  CHECK(reader.latest_version() == 5);
  CHECK(reader.has_newer_than(4));
  CHECK_FALSE(reader.has_newer_than(5));
  CHECK(reader.read(out, deadline_in(1s)) == std::optional<uint64_t>(5));
  CHECK(is_blob_of(out, 5));
  board.publish(blob_of(6, 13).data(), 13, 6);  // sizes may shrink and need not be word multiples
  CHECK(reader.read(out, deadline_in(1s)) == std::optional<uint64_t>(6));
  CHECK(out.size() == 13);
  CHECK(is_blob_of(out, 6));
  CHECK_THROWS_WITH(board.publish(out.data(), 13, 6), Catch::Contains("must exceed"));
  CHECK_THROWS_WITH(board.publish(out.data(), 1001, 7), Catch::Contains("max_blob_bytes"));
  for (uint64_t v = 7; v < 20; ++v) board.publish(blob_of(v, 800).data(), 800, v);
  CHECK(reader.read(out, deadline_in(1s)) == std::optional<uint64_t>(19));
  CHECK(is_blob_of(out, 19));
}

TEST_CASE("weight board: 1 writer and 8 reader processes, no mixed snapshot in 10^6 reads",
          "[weights][process]") {
  test::RunGuard run;
  constexpr std::size_t kBytes = 4096;
  constexpr int kReaders = 8;
  const uint64_t reads_per_reader = test::scaled(1'000'000) / kReaders;
  auto seg = shm::Segment::create(run.id, "weights", shm::WeightBoard::bytes_needed(kBytes));
  auto board = shm::WeightBoard::create(seg.data(), seg.size(), kBytes);
  board.publish(blob_of(1, kBytes).data(), kBytes, 1);
  // Per reader: reads done and distinct versions seen, in memory the children share with us.
  auto* shared = static_cast<std::atomic<uint64_t>*>(::mmap(
      nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  REQUIRE(shared != MAP_FAILED);
  std::vector<pid_t> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.push_back(test::fork_child([&, r] {
      auto seg_r = shm::Segment::open(run.id, "weights");
      auto reader = shm::WeightBoard::attach(seg_r.data(), seg_r.size());
      std::vector<std::byte> out;
      uint64_t last = 0, distinct = 0;
      for (uint64_t i = 0; i < reads_per_reader; ++i) {
        const auto v = reader.read(out, deadline_in(30s));
        if (!v || *v < last || out.size() != kBytes || !is_blob_of(out, *v)) return 1;
        distinct += *v != last;
        last = *v;
        shared[2 * r].store(i + 1, std::memory_order_relaxed);
      }
      shared[2 * r + 1].store(distinct, std::memory_order_relaxed);
      return 0;
    }));
  }
  // Publish new versions as fast as possible until every reader is done.
  std::vector<std::byte> blob(kBytes);
  uint64_t version = 1;
  const Deadline deadline = deadline_in(120s);
  auto all_done = [&] {
    for (int r = 0; r < kReaders; ++r) {
      if (shared[2 * r].load(std::memory_order_relaxed) < reads_per_reader) return false;
    }
    return true;
  };
  while (!all_done() && Clock::now() < deadline) {
    ++version;
    for (std::size_t off = 0; off < kBytes; off += 8) std::memcpy(blob.data() + off, &version, 8);
    board.publish(blob.data(), kBytes, version);
  }
  uint64_t distinct = 0;
  for (int r = 0; r < kReaders; ++r) {
    CHECK(test::wait_child(readers[r]) == 0);
    distinct += shared[2 * r + 1].load();
  }
  ::munmap(shared, 4096);
  INFO("versions published: " << version << ", distinct versions seen by readers: " << distinct);
  CHECK(version > 100);       // the writer really raced the readers
  CHECK(distinct > kReaders);  // and readers did see the board move
}

TEST_CASE("weight board: a writer thread and reader threads (TSan checks the seqlock)",
          "[weights]") {
  constexpr std::size_t kBytes = 1000;  // not a multiple of 8: the partial last word too
  std::vector<std::byte> mem(shm::WeightBoard::bytes_needed(kBytes) + 64);
  std::byte* base = mem.data() + (64 - reinterpret_cast<uintptr_t>(mem.data()) % 64) % 64;
  auto board = shm::WeightBoard::create(base, mem.size() - 64, kBytes);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (uint64_t v = 1; !stop.load(std::memory_order_relaxed); ++v) {
      const auto b = blob_of(v, kBytes);
      board.publish(b.data(), kBytes, v);
    }
  });
  std::atomic<uint64_t> bad{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      auto reader = shm::WeightBoard::attach(base, mem.size() - 64);
      std::vector<std::byte> out;
      // An empty board answers at once: without this a reader could finish before the writer's
      // first publish (it did under ASan, one run in five).
      const auto first = deadline_in(30s);
      while (reader.latest_version() == 0 && Clock::now() < first) std::this_thread::yield();
      for (uint64_t i = 0; i < test::scaled(50'000); ++i) {
        const auto v = reader.read(out, deadline_in(30s));
        if (v && !is_blob_of(out, *v)) bad.fetch_add(1);
      }
    });
  }
  for (auto& t : readers) t.join();
  stop = true;
  writer.join();
  CHECK(bad.load() == 0);
  CHECK(board.latest_version() > 1);
}
