// The service in this process (its threads), real shared memory, rings and batch slots.
#include <catch2/catch.hpp>

#include <map>
#include <thread>

#include "replay/checkpoint.h"
#include "replay/priority_updates.h"
#include "replay/service.h"
#include "tests/replay/helpers.h"

using namespace shmrl;
using namespace shmrl::replay;
using namespace shmrl::replay::test;
using namespace std::chrono_literals;

namespace {
// Drops the batches that may have been sampled before the caller's last observation.
void discard_stale(BatchReader& r, std::size_t slots) {
  for (std::size_t i = 0; i < slots; ++i) {
    auto b = r.acquire(deadline_in(10s));
    REQUIRE(b);
    r.release(*b);
  }
}
}  // namespace

TEST_CASE("service: actor records reach learner batches intact, with FIFO eviction") {
  TestRun t;
  const auto schema = cartpole_schema();
  auto opts = small_options(/*capacity=*/64, /*batch=*/16, /*actors=*/2, /*learners=*/1);
  ReplayService svc(t.run, opts, schema);
  svc.start();
  auto p0 = actor_producer(t.run, schema, 0), p1 = actor_producer(t.run, schema, 1);
  REQUIRE(push_ids(p0.ring, schema, 0, 0, 100));
  REQUIRE(push_ids(p1.ring, schema, 1, 0, 100));
  REQUIRE(wait_until([&] { return svc.committed() == 200; }));
  CHECK(svc.actor_inserts(0) == 100);
  CHECK(svc.actor_inserts(1) == 100);
  CHECK(svc.size() == 64);

  // Eviction order: the stored items are the newest 64, each actor's a contiguous suffix.
  auto view = Storage::inspect(t.run, schema);
  REQUIRE(view.begin() == 136);
  std::map<uint32_t, std::vector<uint64_t>> ids;
  for (uint64_t k = view.begin(); k < view.committed(); ++k) {
    REQUIRE(record_intact(schema, view.record(k)));
    const uint64_t id = record_id(schema, view.record(k));
    ids[uint32_t(id >> 40)].push_back(id & 0xffffffffff);
  }
  for (auto& [actor, v] : ids) {
    REQUIRE(v.back() == 99);
    for (std::size_t i = 1; i < v.size(); ++i) REQUIRE(v[i] == v[i - 1] + 1);
  }

  auto reader = BatchReader::attach(t.run, 0, schema, 16, deadline_in(10s));
  CHECK_FALSE(reader.prioritized());
  CHECK(reader.generation() == 1);
  discard_stale(reader, opts.batch_slots);
  for (int n = 0; n < 50; ++n) {
    auto b = reader.acquire(deadline_in(10s));
    REQUIRE(b);
    for (std::size_t i = 0; i < 16; ++i) {
      REQUIRE(b->keys[i] >= 136);
      REQUIRE(b->keys[i] < 200);
      REQUIRE(b->weights[i] == 1.0f);
      const auto rec = row_record(schema, *b, i);
      REQUIRE(record_intact(schema, rec.data()));
      REQUIRE(std::memcmp(rec.data(), view.record(b->keys[i]), rec.size()) == 0);
    }
    reader.release(*b);
  }
  svc.stop();
}

TEST_CASE("service: a rate-limited allowance is shared between actor rings, none starves") {
  TestRun t;
  const auto schema = cartpole_schema();
  auto opts = small_options(/*capacity=*/1024, /*batch=*/16, /*actors=*/2, /*learners=*/1);
  // No learner releases a batch slot: sampling stops once the slots are full, and inserts soon after.
  opts.min_size_to_sample = 60;
  opts.error_buffer = 40;
  auto p0 = actor_producer(t.run, schema, 0), p1 = actor_producer(t.run, schema, 1);
  // Both rings full before the service starts: the first ring drained must not take it all.
  REQUIRE(push_ids(p0.ring, schema, 0, 0, 300));
  REQUIRE(push_ids(p1.ring, schema, 1, 0, 300));
  ReplayService svc(t.run, opts, schema);
  svc.start();
  REQUIRE(wait_until([&] { return svc.committed() >= 100; }));
  std::this_thread::sleep_for(100ms);  // until the limiter holds inserts
  const uint64_t n = svc.committed();
  CHECK(n < 600);  // held back: not everything the actors committed
  // Served in turn, each ring got a fair part (the first ring drained used to take it all).
  CHECK(svc.actor_inserts(0) * 3 >= n);
  CHECK(svc.actor_inserts(1) * 3 >= n);
  svc.stop();
}

TEST_CASE("service: priority updates are applied, stale ones dropped, NaN/negative/inf rejected") {
  TestRun t;
  const auto schema = cartpole_schema();
  auto opts = small_options(32, 16, 1, 1, SelectorKind::Prioritized);
  ReplayService svc(t.run, opts, schema);
  svc.start();
  auto prod = actor_producer(t.run, schema, 0);
  REQUIRE(push_ids(prod.ring, schema, 0, 0, 32));
  REQUIRE(wait_until([&] { return svc.committed() == 32; }));
  auto reader = BatchReader::attach(t.run, 0, schema, 16, deadline_in(10s));
  REQUIRE(reader.prioritized());
  auto prio = PriorityWriter::attach(t.run, 0, deadline_in(10s));

  auto b = reader.acquire(deadline_in(10s));
  REQUIRE(b);
  const std::vector<uint64_t> old_keys(b->keys.begin(), b->keys.end());
  reader.release(*b);
  const std::vector<float> ps(16, 2.0f);
  REQUIRE(prio.push(old_keys, ps, deadline_in(5s)) == 16);
  REQUIRE(wait_until([&] { return svc.counters().prio_applied.load() == 16; }));

  const std::vector<uint64_t> bad_keys = {1, 2, 3};
  const std::vector<float> bad = {std::nanf(""), -1.0f, std::numeric_limits<float>::infinity()};
  REQUIRE(prio.push(bad_keys, bad, deadline_in(5s)) == 3);
  REQUIRE(wait_until([&] { return svc.counters().prio_rejected.load() == 3; }));
  CHECK(svc.counters().prio_applied.load() == 16);

  // Evict every item the first batch named; updates for them are now stale.
  REQUIRE(push_ids(prod.ring, schema, 0, 32, 32));
  REQUIRE(wait_until([&] { return svc.committed() == 64; }));
  REQUIRE(prio.push(old_keys, ps, deadline_in(5s)) == 16);
  REQUIRE(wait_until([&] { return svc.counters().prio_stale.load() == 16; }));
  CHECK(svc.counters().prio_applied.load() == 16);

  // Only key 40 keeps a positive priority: every draw is key 40, weight 1.
  std::vector<uint64_t> keys;
  std::vector<float> pri;
  for (uint64_t k = 32; k < 64; ++k) {
    keys.push_back(k);
    pri.push_back(k == 40 ? 5.0f : 0.0f);
  }
  REQUIRE(prio.push(keys, pri, deadline_in(5s)) == keys.size());
  REQUIRE(wait_until([&] { return svc.counters().prio_applied.load() == 16 + 32; }));
  discard_stale(reader, opts.batch_slots);
  auto c = reader.acquire(deadline_in(10s));
  REQUIRE(c);
  for (std::size_t i = 0; i < 16; ++i) {
    CHECK(c->keys[i] == 40);
    CHECK(c->weights[i] == 1.0f);
  }
  reader.release(*c);
  CHECK(svc.selector_consistent());
  svc.stop();
}

TEST_CASE("service: records with a non-finite reward, discount or priority are rejected and counted") {
  TestRun t;
  const auto schema = cartpole_schema();
  ReplayService svc(t.run, small_options(64, 8, 1, 1), schema);
  svc.start();
  auto prod = actor_producer(t.run, schema, 0);
  REQUIRE(push_ids(prod.ring, schema, 0, 0, 5));
  auto bad = make_record(schema, 0, 5, std::nanf(""));
  REQUIRE(prod.ring.push(bad.data(), deadline_in(5s)));
  REQUIRE(push_ids(prod.ring, schema, 0, 6, 4));
  REQUIRE(wait_until([&] { return prod.ring.popped() == 10; }));
  REQUIRE(wait_until([&] { return svc.committed() == 9; }));
  CHECK(svc.counters().rejected_items.load() == 1);
  auto view = Storage::inspect(t.run, schema);
  for (uint64_t k = 0; k < 9; ++k) CHECK((record_id(schema, view.record(k)) & 0xff) != 5);
  // Accounted for across restarts: the ring position covers the 9 stored and the 1 dropped.
  CHECK(view.header().dropped.load() == 1);
  CHECK(view.ring_pos(0).load() == 10);
  svc.stop();
}

TEST_CASE("service: a ring record that fails its checksum is dropped, counted in the storage and never stored") {
  TestRun t;
  const auto schema = cartpole_schema();
  ReplayService svc(t.run, small_options(64, 8, 1, 1), schema);
  auto prod = actor_producer(t.run, schema, 0);
  REQUIRE(push_ids(prod.ring, schema, 0, 0, 6));
  // Flip a byte of record 3's payload, as a stray write into the live segment would.
  prod.seg.data()[prod.ring.payload_offset(3) + 5] ^= std::byte{0x40};
  svc.start();
  REQUIRE(wait_until([&] { return prod.ring.popped() == 6; }));
  REQUIRE(wait_until([&] { return svc.committed() == 5; }));
  CHECK(svc.counters().corrupt_records.load() == 1);
  auto view = Storage::inspect(t.run, schema);
  for (uint64_t k = 0; k < 5; ++k) CHECK((record_id(schema, view.record(k)) & 0xff) != 3);
  CHECK(view.header().dropped.load() == 1);
  CHECK(view.ring_pos(0).load() == 6);
  svc.stop();
}

TEST_CASE("service: stored records whose bytes changed are dropped, counted once and never in a batch") {
  const auto sel = GENERATE(SelectorKind::Uniform, SelectorKind::Prioritized);
  TestRun t;
  const auto schema = cartpole_schema();
  const auto opts = small_options(64, 16, 1, 1, sel);
  {
    ReplayService svc(t.run, opts, schema);
    svc.start();
    auto prod = actor_producer(t.run, schema, 0);
    REQUIRE(push_ids(prod.ring, schema, 0, 0, 64, 1.0f));
    REQUIRE(wait_until([&] { return svc.committed() == 64; }));
    svc.stop();
  }
  // Stray writes into the storage segment while no service runs (one running is stress's case).
  const std::vector<uint64_t> bad = {5, 17, 40};
  {
    auto view = Storage::inspect(t.run, schema);
    for (uint64_t k : bad) view.record(k)[k % schema.record_bytes()] ^= std::byte{0x20};
  }
  ReplayService svc(t.run, opts, schema);
  svc.start();
  auto reader = BatchReader::attach(t.run, 0, schema, 16, deadline_in(10s));
  discard_stale(reader, opts.batch_slots);  // filled by the first service, before the flips
  for (int n = 0; n < 100; ++n) {
    auto b = reader.acquire(deadline_in(10s));
    REQUIRE(b);
    for (std::size_t i = 0; i < 16; ++i) {
      REQUIRE(std::find(bad.begin(), bad.end(), b->keys[i]) == bad.end());
      REQUIRE(record_intact(schema, row_record(schema, *b, i).data()));
    }
    reader.release(*b);
  }
  REQUIRE(wait_until([&] { return Storage::inspect(t.run, schema).header().corrupt_stored.load() == 3; }));
  const auto& c = svc.counters();
  CHECK(c.corrupt_stored_sampled.load() + c.corrupt_stored_scrubbed.load() >= 3);
  svc.stop();
  auto view = Storage::inspect(t.run, schema);
  for (uint64_t k : bad) CHECK(view.priority(k) == 0.0f);
  CHECK(svc.selector_consistent());
  CHECK(view.header().corrupt_stored.load() == 3);
}

TEST_CASE("service: the limiter holds samplers back until min_size_to_sample items are stored") {
  TestRun t;
  const auto schema = cartpole_schema();
  auto opts = small_options(1000, 8, 1, 1);
  opts.min_size_to_sample = 50;
  ReplayService svc(t.run, opts, schema);
  svc.start();
  auto prod = actor_producer(t.run, schema, 0);
  auto reader = BatchReader::attach(t.run, 0, schema, 8, deadline_in(10s));
  REQUIRE(push_ids(prod.ring, schema, 0, 0, 49));
  REQUIRE(wait_until([&] { return svc.committed() == 49; }));
  CHECK_FALSE(reader.acquire(deadline_in(200ms)));
  REQUIRE(push_ids(prod.ring, schema, 0, 49, 1));
  auto b = reader.acquire(deadline_in(10s));
  REQUIRE(b);
  reader.release(*b);
  CHECK(svc.limiter_counters().sample_blocked_s > 0.1);
  svc.stop();
}

TEST_CASE("service: a new service re-attaches to the storage: items kept, generation bumped, tree rebuilt") {
  TestRun t;
  const auto schema = cartpole_schema();
  auto opts = small_options(80, 8, 1, 1, SelectorKind::Prioritized);
  {
    ReplayService svc(t.run, opts, schema);
    CHECK_FALSE(svc.restarted());
    svc.start();
    auto prod = actor_producer(t.run, schema, 0);
    for (uint64_t id = 0; id < 100; ++id) {
      const auto rec = make_record(schema, 0, id, 0.5f + float(id % 5));
      REQUIRE(prod.ring.push(rec.data(), deadline_in(5s)));
    }
    REQUIRE(wait_until([&] { return svc.committed() == 100; }));
    svc.stop();
  }
  ReplayService again(t.run, opts, schema);
  CHECK(again.restarted());
  CHECK(again.generation() == 2);
  CHECK(again.committed() == 100);
  CHECK(again.size() == 80);
  CHECK(again.selector_consistent());
  again.start();
  auto reader = BatchReader::attach(t.run, 0, schema, 8, deadline_in(10s));
  CHECK(reader.generation() == 2);
  auto prod = actor_producer(t.run, schema, 0);
  REQUIRE(push_ids(prod.ring, schema, 0, 100, 10));
  REQUIRE(wait_until([&] { return again.committed() == 110; }));
  auto b = reader.acquire(deadline_in(10s));
  REQUIRE(b);
  for (std::size_t i = 0; i < 8; ++i) REQUIRE(record_intact(schema, row_record(schema, *b, i).data()));
  reader.release(*b);
  again.stop();
  CHECK(again.selector_consistent());
}

TEST_CASE("service: invalid options are refused before any segment exists") {
  TestRun t;
  const auto schema = cartpole_schema();
  auto opts = small_options(1000, 64, 1, 1);
  opts.samples_per_insert = 2;
  opts.error_buffer = 10;  // < (64 + 2) / 2
  CHECK_THROWS_WITH(ReplayService(t.run, opts, schema),
                    Catch::Matchers::Contains("replay.error_buffer") && Catch::Matchers::Contains("33"));
  CHECK(shm::list_segments(t.run.run_id).empty());
  opts.error_buffer = 100;
  opts.capacity = 2000000000;
  CHECK_THROWS_WITH(ReplayService(t.run, opts, schema), Catch::Matchers::Contains("replay.capacity"));
  CHECK(shm::list_segments(t.run.run_id).empty());
}

TEST_CASE("service: a checkpoint restores into a new run: items, priorities, a limiter that moves") {
  const auto schema = cartpole_schema();
  auto opts = small_options(200, 8, 1, 1, SelectorKind::Prioritized);
  opts.min_size_to_sample = 20;
  opts.samples_per_insert = 1;
  opts.error_buffer = 10;
  TestRun first;
  std::string path = first.run.run_dir + "/checkpoints/replay.ckpt";
  uint64_t stored = 0;
  {
    ReplayService svc(first.run, opts, schema);
    svc.start();
    auto prod = actor_producer(first.run, schema, 0);
    for (uint64_t id = 0; id < 130; ++id) {
      const auto rec = make_record(schema, 0, id, 0.25f + float(id % 9));
      REQUIRE(prod.ring.push(rec.data(), deadline_in(5s)));
    }
    // No learner takes batches: once the 3 slots are full, inserts stop at max_diff (a blocked
    // inserter has diff + spi > max_diff = 30).
    REQUIRE(wait_until([&] {
      return svc.counters().batches.load() == 3 && svc.limiter_counters().diff + 1 > 30;
    }));
    std::this_thread::sleep_for(20ms);
    stored = svc.committed();
    CHECK(stored < 130);
    CHECK(svc.counters().batches.load() == 3);
    svc.checkpoint(path);
    svc.stop();
  }
  TestRun second;
  auto restored_opts = opts;
  restored_opts.restore_from = path;
  ReplayService svc(second.run, restored_opts, schema);
  CHECK_FALSE(svc.restarted());
  CHECK(svc.committed() == stored);
  CHECK(svc.selector_consistent());
  auto view = Storage::inspect(second.run, schema);
  for (uint64_t k = 0; k < stored; ++k) {
    REQUIRE((record_id(schema, view.record(k)) & 0xffffffffff) == k);
    REQUIRE(view.priority(k) == 0.25f + float(k % 9));
  }
  // Samplers and inserters both make progress from the restored limiter state.
  svc.start();
  auto reader = BatchReader::attach(second.run, 0, schema, 8, deadline_in(10s));
  auto prod = actor_producer(second.run, schema, 0);
  REQUIRE(push_ids(prod.ring, schema, 0, 1000, 40));
  const auto end = Clock::now() + 10s;
  int batches = 0;
  // Keep taking batches until both sides moved: the sampler may have filled every slot before the
  // first acquire, so the inserts can finish after only a few batches were taken here.
  while ((svc.committed() < stored + 40 || batches < 4) && Clock::now() < end) {
    if (auto b = reader.acquire(deadline_in(100ms))) {
      reader.release(*b);
      ++batches;
    }
  }
  CHECK(svc.committed() == stored + 40);
  CHECK(batches >= 4);
  svc.stop();
}
