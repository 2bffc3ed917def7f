#pragma once
// Shared pieces of the replay tests: a fresh run with cleanup, a CartPole-shaped schema, records
// that carry their own identity, and small waits.
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <limits>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "common/run.h"
#include "common/schema.h"
#include "common/shm/rings.h"
#include "common/shm/segment.h"
#include "replay/batch_slots.h"
#include "replay/options.h"

namespace shmrl::replay::test {

// A run id of its own; every segment of it is removed when the guard goes (also on failure).
struct TestRun {
  RunContext run;
  TestRun() {
    run.run_id = shm::new_run_id();
    run.owner = ProcessId::self();
    run.run_dir = "/tmp/shmrl-replay-test-" + run.run_id;
  }
  ~TestRun() {
    shm::remove_run(run.run_id);
    std::error_code ec;
    std::filesystem::remove_all(run.run_dir, ec);
  }
};

inline TransitionSchema cartpole_schema() {
  const float inf = std::numeric_limits<float>::infinity();
  return TransitionSchema(Space::box({4}, {-inf, -inf, -inf, -inf}, {inf, inf, inf, inf}),
                          Space::discrete(2));
}

// Options for small in-test services: sampling as soon as anything is stored, no ratio limit.
inline ReplayOptions small_options(uint64_t capacity, uint32_t batch, int actors, int learners,
                                   SelectorKind sel = SelectorKind::Uniform) {
  ReplayOptions o = parse_replay_options("");
  o.actors = actors;
  o.learners = learners;
  o.capacity = capacity;
  o.batch_size = batch;
  o.selector = sel;
  o.min_size_to_sample = 1;
  o.samples_per_insert = 1;
  o.error_buffer = std::numeric_limits<double>::infinity();
  o.ring_capacity = 1024;
  o.priority_ring_capacity = 4096;
  o.batch_slots = 3;
  return o;
}

// Item `id` of actor `actor`: every field derived from (actor, id), so any row can be checked
// against its own identity. policy_version = actor << 40 | id.
inline std::vector<std::byte> make_record(const TransitionSchema& s, uint32_t actor, uint64_t id,
                                          float priority = 0) {
  std::vector<std::byte> r(s.record_bytes());
  const float obs[4] = {float(actor), float(id % 1000003), float(id / 1000003), 0.5f};
  const float next_obs[4] = {obs[0], obs[1], obs[2], -0.5f};
  const int32_t action = static_cast<int32_t>(id % 2);
  TransitionRef t;
  t.obs = reinterpret_cast<const std::byte*>(obs);
  t.next_obs = reinterpret_cast<const std::byte*>(next_obs);
  t.action = reinterpret_cast<const std::byte*>(&action);
  t.reward = float(id % 7);
  t.discount = 0.99f;
  t.initial_priority = priority;
  t.policy_version = (uint64_t(actor) << 40) | id;
  t.actor_id = actor;
  s.pack(t, r.data());
  return r;
}

// True if `rec` is exactly make_record(actor, id) for the identity it carries (priority aside).
inline bool record_intact(const TransitionSchema& s, const std::byte* rec) {
  const auto t = s.unpack(rec);
  const auto want = make_record(s, t.actor_id, t.policy_version & ((uint64_t(1) << 40) - 1), t.initial_priority);
  return (t.policy_version >> 40) == t.actor_id && std::memcmp(want.data(), rec, want.size()) == 0;
}

inline uint64_t record_id(const TransitionSchema& s, const std::byte* rec) {
  return s.unpack(rec).policy_version;
}

// Row i of a batch put back together as a record (the inverse of BatchLayout::set_row).
inline std::vector<std::byte> row_record(const TransitionSchema& s, const BatchView& b, std::size_t i) {
  std::vector<std::byte> r(s.record_bytes(), std::byte{0});
  for (const auto& f : s.fields()) std::memcpy(r.data() + f.offset, b.column(f.name) + i * f.bytes, f.bytes);
  return r;
}

// Producer side of actor ring `actor`, as an actor would hold it.
inline shm::SharedRing actor_producer(const RunContext& run, const TransitionSchema& s, int actor,
                                 uint32_t ring_capacity = 1024) {
  auto r = shm::open_or_create_ring(run, seg::actor_ring(actor),
                               shm::RingOptions{static_cast<uint32_t>(s.record_bytes()), ring_capacity},
                               deadline_in(std::chrono::seconds(10)));
  r.ring.claim_producer();
  return r;
}

// Pushes make_record(actor, id) for id in [first, first + n), blocking while the ring is full.
inline bool push_ids(shm::SpscRing& ring, const TransitionSchema& s, uint32_t actor, uint64_t first,
                     uint64_t n, float priority = 0) {
  for (uint64_t id = first; id < first + n; ++id) {
    const auto rec = make_record(s, actor, id, priority);
    if (!ring.push(rec.data(), deadline_in(std::chrono::seconds(30)))) return false;
  }
  return true;
}

// Polls pred every millisecond until it holds or `limit` passes. Returns pred().
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= end) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Exit status of a child (-signal if killed), waiting at most `limit`; kills it past that.
inline int wait_child(pid_t pid, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  int status = 0;
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() >= end) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1000;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace shmrl::replay::test
