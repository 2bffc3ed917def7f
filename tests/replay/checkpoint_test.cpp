#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "replay/checkpoint.h"
#include "tests/replay/helpers.h"

using namespace shmrl;
using namespace shmrl::replay;
using namespace shmrl::replay::test;
using Catch::Matchers::Contains;

namespace {
// Stores ids [0, n) of actor 3 in `s` the way the writer does.
void fill(Storage& s, const TransitionSchema& schema, uint64_t n) {
  for (uint64_t id = 0; id < n; ++id) {
    s.begin_insert(1);
    const uint64_t key = s.committed();
    const auto rec = make_record(schema, 3, id);
    std::memcpy(s.record(key), rec.data(), rec.size());
    s.priority(key) = 0.5f + float(id % 10);
    s.seal(key, 1);
    s.commit(1, 3, id + 1);
  }
}

std::string checkpoint_of(const TestRun& t, const TransitionSchema& schema, uint64_t cap, uint64_t n) {
  auto s = Storage::create(t.run, cap, schema, 1.0);
  fill(s, schema, n);
  const std::string path = t.run.run_dir + "/checkpoints/replay.ckpt";
  CheckpointState st{s.begin(), s.committed(), 777, 12.5, 9.5, 1};
  write_checkpoint(path, s, schema, st);
  return path;
}
}  // namespace

TEST_CASE("checkpoint: round trip restores items, priorities and counters") {
  const auto schema = cartpole_schema();
  TestRun a, b;
  const std::string path = checkpoint_of(a, schema, 100, 250);  // wrapped: keys 150..249 stored
  REQUIRE_FALSE(std::filesystem::exists(path + ".tmp"));
  auto s = Storage::create(b.run, 100, schema, 1.0);
  const auto st = load_checkpoint(path, s, schema);
  CHECK(st.begin == 150);
  CHECK(st.end == 250);
  CHECK(st.samples == 777);
  CHECK(st.limiter_diff == 12.5);
  CHECK(st.max_priority == 9.5);
  REQUIRE(s.begin() == 150);
  REQUIRE(s.committed() == 250);
  for (uint64_t k = 150; k < 250; ++k) {
    REQUIRE(record_intact(schema, s.record(k)));
    REQUIRE((record_id(schema, s.record(k)) & 0xffffffffff) == k);
    REQUIRE(s.priority(k) == 0.5f + float(k % 10));
  }
  // Into a smaller storage: the newest items are kept.
  TestRun c;
  auto small = Storage::create(c.run, 30, schema, 1.0);
  const auto st2 = load_checkpoint(path, small, schema);
  CHECK(st2.begin == 220);
  for (uint64_t k = 220; k < 250; ++k) REQUIRE((record_id(schema, small.record(k)) & 0xffffffffff) == k);
}

TEST_CASE("checkpoint: stored records failing their checksum stay dropped after a restore") {
  const auto schema = cartpole_schema();
  TestRun a, b;
  auto s = Storage::create(a.run, 100, schema, 1.0);
  fill(s, schema, 60);
  for (uint64_t k = 0; k < 60; ++k) REQUIRE(s.intact(k, k));
  // Key 7 flipped and not found yet; key 12 flipped and already marked by the service.
  s.record(7)[9] ^= std::byte{0x10};
  s.record(12)[30] ^= std::byte{0x01};
  CHECK_FALSE(s.intact(7, 7));
  CHECK(s.mark_corrupt(12));
  CHECK_FALSE(s.mark_corrupt(12));  // counted once
  CHECK(s.header().corrupt_stored.load() == 1);
  const std::string path = a.run.run_dir + "/checkpoints/replay.ckpt";
  write_checkpoint(path, s, schema, CheckpointState{s.begin(), s.committed(), 0, 0, 1, 1});
  auto r = Storage::create(b.run, 100, schema, 1.0);
  load_checkpoint(path, r, schema);
  for (uint64_t k = 0; k < 60; ++k) CHECK(r.intact(k, k) == (k != 7 && k != 12));
  CHECK(r.header().corrupt_stored.load() == 2);
  // A record overwritten later is sealed afresh: its flag goes with the old one.
  r.begin_insert(1);
  const auto rec = make_record(schema, 3, 999);
  std::memcpy(r.record(r.committed()), rec.data(), rec.size());
  r.seal(r.committed(), 1);
  CHECK(r.intact(60, 60));
}

TEST_CASE("checkpoint: corrupt, torn, foreign and missing files are refused with a clear error") {
  const auto schema = cartpole_schema();
  TestRun a;
  const std::string path = checkpoint_of(a, schema, 1000, 1000);
  const auto size = std::filesystem::file_size(path);
  const auto load_into_fresh = [&](const std::string& p, const TransitionSchema& sch) {
    TestRun t;
    auto s = Storage::create(t.run, 1000, sch, 1.0);
    try {
      load_checkpoint(p, s, sch);
    } catch (...) {
      REQUIRE(s.committed() == 0);  // nothing became visible
      throw;
    }
  };
  SECTION("one flipped byte in the payload") {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    char c;
    f.read(&c, 1);
    c ^= 0x10;
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.write(&c, 1);
    f.close();
    CHECK_THROWS_AS(load_into_fresh(path, schema), CheckpointError);
    CHECK_THROWS_WITH(load_into_fresh(path, schema), Contains("refused") && Contains("corrupt"));
  }
  SECTION("a torn tail") {
    std::filesystem::resize_file(path, size - 100);
    CHECK_THROWS_WITH(load_into_fresh(path, schema), Contains("refused") && Contains("torn"));
    std::filesystem::resize_file(path, size - 40);  // only the end marker is missing / cut
    CHECK_THROWS_WITH(load_into_fresh(path, schema), Contains("refused"));
  }
  SECTION("not a checkpoint") {
    std::ofstream(path, std::ios::trunc) << std::string(4096, 'x');
    CHECK_THROWS_WITH(load_into_fresh(path, schema), Contains("bad magic"));
  }
  SECTION("another schema") {
    const float inf = std::numeric_limits<float>::infinity();
    const TransitionSchema other(Space::box({8}, std::vector<float>(8, -inf), std::vector<float>(8, inf)),
                                 Space::discrete(4));
    CHECK_THROWS_WITH(load_into_fresh(path, other), Contains("another transition schema"));
  }
  SECTION("missing") {
    CHECK_THROWS_WITH(load_into_fresh(path + ".nope", schema), Contains("cannot open"));
  }
}
