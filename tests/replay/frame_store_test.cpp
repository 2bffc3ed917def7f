// Frame-deduplicated replay storage (replay/frame_store.h) against a naive store of whole records:
// seeded random streams of Atari-shaped n-step records (bench/atari_stream.h: short episodes, both
// padding styles, repeated frames, envs interleaved) inserted in random batches into a small
// storage that wraps around many times; every stored key reads back exactly the record inserted
// under it, through a restart (attach) and a checkpoint round trip. Bytes flipped in the frame pool
// are found by the stored-record checksums on every item that rebuilds from them.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

#include "bench/atari_stream.h"
#include "replay/checkpoint.h"
#include "replay/service.h"
#include "replay/storage.h"
#include "tests/replay/helpers.h"

using namespace shmrl;
using namespace shmrl::replay;
using namespace shmrl::replay::test;

namespace {

// Atari's [4, 84, 84] stacks, or smaller frames for speed.
TransitionSchema frame_schema(int side) {
  const std::size_t n = 4 * static_cast<std::size_t>(side * side);
  return TransitionSchema(
      Space::box({4, side, side}, std::vector<float>(n, 0.0f), std::vector<float>(n, 255.0f), DType::U8),
      Space::discrete(6));
}

// The naive store: every record inserted, by key.
using Naive = std::map<uint64_t, std::vector<std::byte>>;

// Inserts `count` records of the stream in random batches as the replay writer does.
void insert(Storage& st, bench::AtariStream& stream, Naive& naive, uint64_t count, std::mt19937_64& rng) {
  const std::size_t rb = st.record_bytes();
  for (uint64_t done = 0; done < count;) {
    const uint64_t n = std::min<uint64_t>(1 + rng() % st.max_insert(), count - done);
    st.begin_insert(n);
    const uint64_t key = st.committed();
    for (uint64_t i = 0; i < n; ++i) {
      std::vector<std::byte> rec(rb);
      stream.next(rec.data());
      st.write(key + i, rec.data());
      naive[key + i] = std::move(rec);
    }
    st.commit(n, 0, key + n);
    done += n;
  }
}

// Every stored key reads back its naive record; returns how many were checked.
uint64_t check_all(const Storage& st, const Naive& naive) {
  std::vector<std::byte> got(st.record_bytes());
  for (uint64_t k = st.begin(); k < st.committed(); ++k) {
    st.read(k, got.data());
    INFO("key " << k << " of [" << st.begin() << ", " << st.committed() << ")");
    REQUIRE(std::memcmp(got.data(), naive.at(k).data(), got.size()) == 0);
  }
  return st.committed() - st.begin();
}

}  // namespace

TEST_CASE("frame storage returns exactly what a naive store would, across episodes and wrap-around",
          "[frames]") {
  const int side = GENERATE(12, 84);
  const uint64_t seed = GENERATE(1, 2, 3);
  INFO("frames " << side << "x" << side << ", seed " << seed);
  const auto schema = frame_schema(side);
  TestRun t;
  constexpr uint64_t kCapacity = 300;
  auto st = Storage::create(t.run, kCapacity, schema, 1.0, /*frames=*/true);
  REQUIRE(st.frames() != nullptr);
  bench::AtariStream stream(schema, {.envs = 5, .n_step = 3, .frame_side = side, .max_episode_steps = 30,
                                     .repeat_frame = 0.2, .seed = seed});
  std::mt19937_64 rng(seed);
  Naive naive;
  uint64_t checked = 0;
  for (int round = 0; round < 12; ++round) {  // about 10 wraps of the slots
    insert(st, stream, naive, 250 + rng() % 300, rng);
    checked += check_all(st, naive);
    // Evicted early only when frames run out; never more than capacity items.
    CHECK(st.size() <= kCapacity);
    CHECK(st.size() >= std::min<uint64_t>(st.committed(), kCapacity / 2));
    // Stacks share frames: far fewer frame slots in use than 8 per item.
    CHECK(st.frames()->frames_in_use() < 3 * st.size());
  }
  CHECK(st.committed() > 10 * kCapacity);
  CHECK(checked > 0);

  // A restarted service re-attaches: the writer state is rebuilt from the items, and inserting on
  // still gives back exactly what was inserted.
  {
    auto again = Storage::attach(t.run, kCapacity, schema);
    REQUIRE(again.frames() != nullptr);
    check_all(again, naive);
    insert(again, stream, naive, 700, rng);
    check_all(again, naive);
  }

  // A checkpoint holds whole records; restored into a fresh frame storage they read back the same.
  auto view = Storage::inspect(t.run, schema);
  const std::string path = t.run.run_dir + "/replay.ckpt";
  CheckpointState s;
  s.begin = view.begin();
  s.end = view.committed();
  s.max_priority = 1.0;
  write_checkpoint(path, view, schema, s);
  TestRun other;
  auto fresh = Storage::create(other.run, kCapacity, schema, 1.0, /*frames=*/true);
  const auto loaded = load_checkpoint(path, fresh, schema);
  CHECK(loaded.end == view.committed());
  CHECK(fresh.committed() == view.committed());
  CHECK(fresh.size() > 0);
  check_all(fresh, naive);
}

TEST_CASE("frame storage: sizes, the /dev/shm check and refused layouts", "[frames]") {
  const auto atari = frame_schema(84);
  const std::size_t naive = Storage::bytes_needed(1000000, atari, false);
  const std::size_t frames = Storage::bytes_needed(1000000, atari, true);
  CHECK(naive / 1000000 > 56000);
  CHECK(frames / 1000000 <= 7680);  // <= 7.5 KB per stored transition at capacity
  ReplayOptions o = parse_replay_options("[replay]\nmin_size_to_sample = 1\n");
  CHECK(o.frames_for(atari));  // auto
  o.storage = "records";
  CHECK_FALSE(o.frames_for(atari));
  o.storage = "frames";
  CHECK_THROWS_WITH(o.frames_for(cartpole_schema()), Catch::Contains("replay.storage") && Catch::Contains("uint8"));
  o.storage = "auto";
  o.capacity = 100000000;
  o.min_size_to_sample = 1;
  CHECK_THROWS_WITH(o.validate_for(atari), Catch::Contains("replay.capacity") && Catch::Contains("/dev/shm") &&
                                               Catch::Contains("MiB"));
}

TEST_CASE("frame storage: a flipped frame-pool byte drops every item that rebuilds from it, none reaches a batch",
          "[frames]") {
  using namespace std::chrono_literals;
  const auto sel = GENERATE(SelectorKind::Uniform, SelectorKind::Prioritized);
  const auto schema = frame_schema(84);
  TestRun t;
  constexpr uint64_t kCapacity = 300;
  std::mt19937_64 rng(7);
  Naive naive;
  {
    auto st = Storage::create(t.run, kCapacity, schema, 1.0, /*frames=*/true);
    bench::AtariStream stream(schema, {.envs = 5, .n_step = 3, .frame_side = 84, .max_episode_steps = 30,
                                       .repeat_frame = 0.2, .seed = 7});
    insert(st, stream, naive, 400, rng);
  }
  // Stray writes into the frame pool while no service runs: 3 bytes in frames that stored items use
  // (a flip in a free slot changes no item and is undone). `bad`: every item that now rebuilds to
  // other bytes than it was given, i.e. every item holding a flipped frame, in obs or next_obs.
  std::set<uint64_t> bad;
  std::size_t frames_hit = 0;
  {
    auto view = Storage::inspect(t.run, schema);
    std::byte* pool = reinterpret_cast<std::byte*>(&view.header()) + view.header().frames_offset;
    const std::size_t pool_bytes = FrameStore::pool_bytes(kCapacity, schema);
    std::vector<std::byte> rec(view.record_bytes());
    while (frames_hit < 3) {
      const std::size_t at = rng() % pool_bytes;
      pool[at] ^= std::byte{0x20};
      std::set<uint64_t> now;
      for (uint64_t k = view.begin(); k < view.committed(); ++k) {
        view.read(k, rec.data());
        if (std::memcmp(rec.data(), naive.at(k).data(), rec.size()) != 0) now.insert(k);
      }
      if (now.size() == bad.size()) {
        pool[at] ^= std::byte{0x20};
        continue;
      }
      bad = std::move(now);
      ++frames_hit;
    }
  }
  INFO(bad.size() << " items rebuild from the " << frames_hit << " flipped frames");
  REQUIRE(bad.size() >= frames_hit);
  auto opts = small_options(kCapacity, 16, 1, 1, sel);
  opts.storage = "frames";
  opts.ring_capacity = 16;
  ReplayService svc(t.run, opts, schema);
  svc.start();
  auto reader = BatchReader::attach(t.run, 0, schema, 16, deadline_in(10s));
  for (int n = 0; n < 60; ++n) {
    auto b = reader.acquire(deadline_in(10s));
    REQUIRE(b);
    for (std::size_t i = 0; i < 16; ++i) {
      REQUIRE(bad.count(b->keys[i]) == 0);
      REQUIRE(row_record(schema, *b, i) == naive.at(b->keys[i]));
    }
    reader.release(*b);
  }
  // The scrub finds the rest: exactly the items of flipped frames, each counted once.
  REQUIRE(wait_until([&] { return Storage::inspect(t.run, schema).header().corrupt_stored.load() == bad.size(); }));
  svc.stop();
  auto view = Storage::inspect(t.run, schema);
  CHECK(view.header().corrupt_stored.load() == bad.size());
  for (uint64_t k : bad) CHECK(view.priority(k) == 0.0f);
  CHECK(svc.selector_consistent());
}
