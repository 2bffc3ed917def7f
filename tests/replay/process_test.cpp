// The replay service as its own process (forked, running run_replay_process exactly as
// `shmrl replay` does), with actor-like producer processes and learner-like consumer processes.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <functional>
#include <set>

#include "common/stats.h"
#include "replay/checkpoint.h"
#include "replay/priority_updates.h"
#include "replay/process.h"
#include "replay/service.h"
#include "tests/replay/helpers.h"

using namespace shmrl;
using namespace shmrl::replay;
using namespace shmrl::replay::test;
using namespace std::chrono_literals;

namespace {

// Runs fn in a child process; its return value is the exit status (2 if it threw).
pid_t fork_child(const std::function<int()>& fn) {
  std::fflush(nullptr);  // or the child flushes a copy of the parent's buffered output
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  int rc = 2;
  try {
    rc = fn();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child %d: %s\n", ::getpid(), e.what());
  }
  std::fflush(nullptr);
  ::_exit(rc);
}

float priority_of(uint64_t id) { return 1.0f + float(id % 7); }

// An actor: ids [0, n) in chunks, pausing between chunks so the run lasts a while.
int producer(const RunContext& run, const TransitionSchema& s, int actor, uint64_t n, int pause_us) {
  auto r = actor_producer(run, s, actor);
  for (uint64_t id = 0; id < n; ++id) {
    const auto rec = make_record(s, static_cast<uint32_t>(actor), id, priority_of(id));
    if (!r.ring.push(rec.data(), deadline_in(60s))) return 10;
    if (pause_us > 0 && id % 200 == 199) ::usleep(static_cast<useconds_t>(pause_us));
  }
  return 0;
}

// A learner: checks every row against the stored record its key names, sends priorities back.
// Stops after `want_gen2` batches of generation >= 2 (0: until the service is gone).
int consumer(const RunContext& run, const TransitionSchema& s, int rank, std::size_t batch,
             int want_gen2) {
  auto reader = BatchReader::attach(run, rank, s, batch, deadline_in(30s));
  auto prio = PriorityWriter::attach(run, rank, deadline_in(30s));
  auto storage = Storage::inspect(run, s);
  int batches = 0, gen2 = 0;
  const auto end = Clock::now() + 120s;
  std::vector<float> p(batch);
  while (Clock::now() < end) {
    auto b = reader.acquire(deadline_in(200ms));
    if (!b) {
      if (want_gen2 == 0 && !reader.service_alive()) return batches > 0 ? 0 : 5;
      continue;
    }
    for (std::size_t i = 0; i < batch; ++i) {
      const auto rec = row_record(s, *b, i);
      if (!record_intact(s, rec.data())) return 3;
      if (std::memcmp(rec.data(), storage.record(b->keys[i]), rec.size()) != 0) return 4;
      p[i] = 0.5f + float(b->keys[i] % 3);
    }
    if (prio.push(b->keys, p, deadline_in(10s)) != batch) return 6;
    const bool second = b->generation >= 2;
    reader.release(*b);
    ++batches;
    if (second && ++gen2 >= want_gen2 && want_gen2 > 0) return 0;
  }
  return 7;  // timed out
}

// XXH64 of every stored record, summed (order-free), and whether each id appears exactly once.
struct Contents {
  uint64_t count = 0, checksum = 0;
  bool unique = true;
};
Contents contents(const Storage& st, const TransitionSchema& s, uint64_t end) {
  Contents c;
  std::set<uint64_t> seen;
  for (uint64_t k = st.begin(); k < end; ++k) {
    c.checksum += XXH64(st.record(k), s.record_bytes(), 0);
    c.unique = seen.insert(record_id(s, st.record(k))).second && c.unique;
    ++c.count;
  }
  return c;
}

Contents expected(const TransitionSchema& s, int actors, uint64_t n) {
  Contents c;
  for (int a = 0; a < actors; ++a)
    for (uint64_t id = 0; id < n; ++id) {
      const auto r = make_record(s, static_cast<uint32_t>(a), id, priority_of(id));
      c.checksum += XXH64(r.data(), r.size(), 0);
      ++c.count;
    }
  return c;
}

}  // namespace

TEST_CASE("process: 4 producers and 2 consumers through the service process, nothing lost or duplicated") {
  TestRun t;
  const auto schema = cartpole_schema();
  const uint64_t n = 20000;
  auto opts = small_options(/*capacity=*/4 * n, /*batch=*/32, /*actors=*/4, /*learners=*/2,
                            SelectorKind::Prioritized);
  opts.checkpoint_on_exit = true;
  const pid_t service = fork_child([&] { return run_replay_process(t.run, opts, schema); });
  std::vector<pid_t> producers, consumers;
  for (int a = 0; a < 4; ++a)
    producers.push_back(fork_child([&, a] { return producer(t.run, schema, a, n, 200); }));
  for (int r = 0; r < 2; ++r)
    consumers.push_back(fork_child([&, r] { return consumer(t.run, schema, r, 32, 0); }));

  for (pid_t p : producers) CHECK(wait_child(p) == 0);
  REQUIRE(wait_until([&] { return Storage::found(t.run); }));
  auto st = Storage::inspect(t.run, schema);
  REQUIRE(wait_until([&] { return st.committed() == 4 * n; }, 30s));
  const auto got = contents(st, schema, st.committed());
  const auto want = expected(schema, 4, n);
  CHECK(got.count == want.count);
  CHECK(got.checksum == want.checksum);
  CHECK(got.unique);
  // The stats block is published every few milliseconds, and the drain serves the rings in rotation
  // (no actor is last by construction): wait for every actor's count.
  REQUIRE(wait_until([&] {
    auto s = read_stats(t.run, seg::replay_stats());
    for (int a = 0; a < 4; ++a)
      if (s["actor" + std::to_string(a) + "_inserts"] != double(n)) return false;
    return true;
  }));
  const auto stats = read_stats(t.run, seg::replay_stats());
  for (int a = 0; a < 4; ++a) CHECK(stats.at("actor" + std::to_string(a) + "_inserts") == double(n));
  CHECK(stats.at("ready") == 1);
  CHECK(stats.at("rejected_items") == 0);

  ::kill(service, SIGTERM);
  CHECK(wait_child(service, 10s) == 0);  // a clean stop on SIGTERM
  for (pid_t c : consumers) CHECK(wait_child(c) == 0);
  CHECK(read_stats(t.run, seg::replay_stats()).at("priority_updates") > 0);

  // The checkpoint written on exit holds the same items.
  TestRun other;
  auto fresh = Storage::create(other.run, 4 * n, schema, 1.0);
  const auto saved = load_checkpoint(t.run.run_dir + "/checkpoints/replay.ckpt", fresh, schema);
  CHECK(saved.end == 4 * n);
  CHECK(contents(fresh, schema, fresh.committed()).checksum == want.checksum);
}

TEST_CASE("process: SIGKILL the service mid-run and restart it, items, tree and clients carry on") {
  TestRun t;
  const auto schema = cartpole_schema();
  const uint64_t n = 15000;
  auto opts = small_options(/*capacity=*/2 * n, /*batch=*/32, /*actors=*/2, /*learners=*/1,
                            SelectorKind::Prioritized);
  const pid_t first = fork_child([&] { return run_replay_process(t.run, opts, schema); });
  std::vector<pid_t> producers;
  for (int a = 0; a < 2; ++a)
    producers.push_back(fork_child([&, a] { return producer(t.run, schema, a, n, 2000); }));
  const pid_t learner = fork_child([&] { return consumer(t.run, schema, 0, 32, /*want_gen2=*/20); });

  REQUIRE(wait_until([&] { return Storage::found(t.run); }));
  auto st = Storage::inspect(t.run, schema);
  REQUIRE(wait_until([&] { return st.committed() >= n / 2; }, 60s));
  ::kill(first, SIGKILL);
  REQUIRE(wait_child(first) == -SIGKILL);
  const uint64_t committed_at_kill = st.committed();
  REQUIRE(committed_at_kill < 2 * n);  // the producers were still going
  const auto before = contents(st, schema, committed_at_kill);
  REQUIRE(before.unique);

  // The restart (in this process, so the tree can be inspected; no fork happens after this).
  ReplayService again(t.run, opts, schema);
  CHECK(again.restarted());
  CHECK(again.generation() == 2);
  CHECK(again.committed() == committed_at_kill);
  CHECK(contents(st, schema, committed_at_kill).checksum == before.checksum);
  CHECK(again.selector_consistent());
  again.start();

  for (pid_t p : producers) CHECK(wait_child(p) == 0);
  REQUIRE(wait_until([&] { return again.committed() == 2 * n; }, 30s));
  const auto all = contents(st, schema, again.committed());
  const auto want = expected(schema, 2, n);
  CHECK(all.count == want.count);
  CHECK(all.checksum == want.checksum);
  CHECK(all.unique);
  // The storage's accounting agrees: every record consumed from the rings was stored once.
  CHECK(st.ring_pos(0).load() + st.ring_pos(1).load() == again.committed() + st.header().dropped.load());
  CHECK(st.header().ring_pos_adjust.load() == 0);
  CHECK(wait_child(learner) == 0);  // it saw generation 2 batches, all rows intact
  again.stop();
  CHECK(again.selector_consistent());
}

TEST_CASE("process: the service stops when the run's owner dies") {
  TestRun t;
  const auto schema = cartpole_schema();
  const pid_t owner = fork_child([] {
    ::pause();
    return 0;
  });
  RunContext run = t.run;
  REQUIRE(wait_until([&] { return ProcessId::of(owner).start_ticks != 0; }));
  run.owner = ProcessId::of(owner);
  auto opts = small_options(100, 8, 1, 1);
  const pid_t service = fork_child([&] { return run_replay_process(run, opts, schema); });
  REQUIRE(wait_until([&] { return read_stats(t.run, seg::replay_stats())["ready"] == 1; }));
  ::kill(owner, SIGKILL);
  CHECK(wait_child(owner) == -SIGKILL);
  CHECK(wait_child(service, 10s) == 0);
}
