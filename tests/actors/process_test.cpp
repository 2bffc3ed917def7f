// `shmrl actor` as a real process (forked, running the same entry point as the CLI) next to a
// consumer process: what arrives (counts, schema fields, n-step consistency of the stream), restart
// on the same ring, clean exit on SIGTERM and on parent death, a bad env id.
#include <ATen/Parallel.h>
// c10 defines a glog-style CHECK macro; undefine it so Catch's CHECK is the one used here.
#undef CHECK
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "actors/actor.h"
#include "actors/actor_process.h"
#include "common/stats.h"
#include "tests/common/shm_test_util.h"

using namespace shmrl;
using namespace shmrl::actors;
using namespace std::chrono_literals;

namespace {

// OpenMP thread teams do not survive fork(): keep this process's torch single-threaded so forked
// actors never inherit one.
const bool kTorchSingleThreaded = (at::set_num_threads(1), true);

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name) : path("/tmp/shmrl-test-" + name) {}
  ~TempFile() { std::remove(path.c_str()); }
};

void write_config(const std::string& path, const std::string& env_id, int envs) {
  std::ofstream f(path);
  f << "[run]\nseed = 4\n[env]\nid = \"" << env_id << "\"\n[actor]\nenvs_per_actor = " << envs
    << "\nn_step = 3\ngamma = 0.9\nepsilon_base = 0.5\nweight_sync_steps = 10\npush_batch = 8\n"
       "ring_capacity = 256\ntorch_threads = 1\n[learner]\nhidden = [16]\ndueling = true\n";
}

// Arguments naming the calling process as the run's owner (call it in the process that forks).
ActorProcessArgs args_for(const std::string& run_id, const std::string& config, uint64_t max_steps) {
  ActorProcessArgs a;
  a.run_id = run_id;
  a.owner_pid = ::getpid();
  a.config = config;
  a.seed = 5;
  a.max_steps = max_steps;
  return a;
}

// Consumer process body: waits for actor 0's ring and its producer, pops every record into `out`
// until the producer is gone and the ring is empty. Exit 0, or 2 on a deadline, 3 on corruption.
int consume(const std::string& run_id, const std::string& out_path) {
  const Deadline deadline = deadline_in(60s);
  while (!shm::Segment::exists(run_id, seg::actor_ring(0))) {
    if (Clock::now() > deadline) return 2;
    std::this_thread::sleep_for(1ms);
  }
  std::this_thread::sleep_for(20ms);  // the creator formats the ring right after creating it
  auto seg = shm::Segment::open(run_id, seg::actor_ring(0));
  auto ring = shm::SpscRing::attach(seg.data(), seg.size());
  ring.claim_consumer();
  while (ring.producer_epoch() == 0) {
    if (Clock::now() > deadline) return 2;
    std::this_thread::sleep_for(1ms);
  }
  std::ofstream out(out_path, std::ios::binary);
  std::vector<std::byte> buf(64 * ring.record_bytes());
  while (Clock::now() < deadline) {
    const std::size_t n = ring.try_pop_batch(buf.data(), 64);
    out.write(reinterpret_cast<const char*>(buf.data()), std::streamsize(n * ring.record_bytes()));
    if (n == 0) {
      if (!ring.producer_alive() && ring.size() == 0) return ring.corrupt_records() == 0 ? 0 : 3;
      std::this_thread::sleep_for(100us);
    }
  }
  return 2;
}

std::vector<std::vector<std::byte>> read_records(const std::string& path, std::size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::vector<std::byte>> out;
  std::vector<std::byte> rec(bytes);
  while (in.read(reinterpret_cast<char*>(rec.data()), std::streamsize(bytes))) out.push_back(rec);
  return out;
}

struct Rec {
  float obs[4], next[4], reward, discount;
  int32_t action;
  uint64_t version;
  uint32_t actor;
};

Rec decode(const TransitionSchema& s, const std::vector<std::byte>& r) {
  const TransitionRef t = s.unpack(r.data());
  Rec x;
  std::memcpy(x.obs, t.obs, 16);
  std::memcpy(x.next, t.next_obs, 16);
  std::memcpy(&x.action, t.action, 4);
  x.reward = t.reward, x.discount = t.discount, x.version = t.policy_version, x.actor = t.actor_id;
  return x;
}

bool same_obs(const float* a, const float* b) { return std::memcmp(a, b, 16) == 0; }

TransitionSchema cartpole_schema() {
  return TransitionSchema(Space::box({4}, std::vector<float>(4, -1e9f), std::vector<float>(4, 1e9f)),
                          Space::discrete(2));
}

}  // namespace

TEST_CASE("actor process + consumer process: counts and contents of what arrives", "[process]") {
  test::RunGuard guard;
  TempFile config(guard.id + ".toml"), dump(guard.id + ".bin");
  write_config(config.path, "CartPole-v1", 1);  // one env: the stream is one env's time order
  const uint64_t steps = 3000;
  const pid_t consumer = test::fork_child([&] { return consume(guard.id, dump.path); });
  const ActorProcessArgs args = args_for(guard.id, config.path, steps);
  const pid_t actor = test::fork_child([&] { return run_actor_process(args); });
  REQUIRE(test::wait_child(actor) == 0);
  REQUIRE(test::wait_child(consumer) == 0);

  const auto schema = cartpole_schema();
  const auto raw = read_records(dump.path, schema.record_bytes());
  // Every step makes one record except the < n steps of the episode still running at the end.
  REQUIRE(raw.size() <= steps);
  REQUIRE(raw.size() >= steps - 2);
  const auto stats = read_stats({guard.id, ProcessId::self(), ""}, seg::actor_stats(0));
  CHECK(stats.at(stat::kEnvSteps) == steps);
  CHECK(stats.at(stat::kRecords) == raw.size());
  CHECK(stats.at(stat::kEpisodes) > 20);

  std::vector<Rec> r;
  for (const auto& x : raw) r.push_back(decode(schema, x));
  const float full = 1 + 0.9f + 0.81f;
  std::size_t regular = 0, tails = 0, episodes_seen = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    INFO("record " << i);
    REQUIRE(r[i].actor == 0u);
    REQUIRE(r[i].version == 0u);  // no weight board in this run
    REQUIRE((r[i].action == 0 || r[i].action == 1));
    for (float v : r[i].obs) REQUIRE(std::isfinite(v));
    if (r[i].discount != 0) {
      // Within an episode: 3 rewards of 1, bootstrap gamma^3 from o_{t+3} = record i+3's obs.
      ++regular;
      REQUIRE(r[i].discount == Approx(0.729f));
      REQUIRE(r[i].reward == Approx(full));
      if (i + 3 < r.size()) REQUIRE(same_obs(r[i].next, r[i + 3].obs));
      if (i + 1 < r.size()) REQUIRE(!same_obs(r[i].obs, r[i + 1].obs));
    } else {
      // The last (up to 3) records of a terminated episode: returns 2.71, 1.9, 1 to the end, all
      // pointing at the same final observation.
      ++tails;
      const bool last = i + 1 == r.size() || r[i + 1].reward > r[i].reward ||
                        r[i + 1].discount != 0;
      if (last) {
        ++episodes_seen;
        REQUIRE(r[i].reward == Approx(1.0f));
        if (i >= 1 && r[i - 1].discount == 0) {
          REQUIRE(r[i - 1].reward == Approx(1.9f));
          REQUIRE(same_obs(r[i - 1].next, r[i].next));
        }
        // Autoreset: the next record starts a fresh episode near the origin.
        if (i + 1 < r.size())
          for (float v : r[i + 1].obs) REQUIRE(std::abs(v) <= 0.05f);
      }
    }
  }
  CHECK(regular > 0);
  CHECK(tails >= 3 * 20);
  CHECK(double(episodes_seen) == stats.at(stat::kEpisodes));
}

TEST_CASE("a restarted actor continues on the same ring and counters", "[process]") {
  test::RunGuard guard;
  TempFile config(guard.id + ".toml");
  write_config(config.path, "CartPole-v1", 2);
  for (int run = 0; run < 2; ++run) {
    ActorProcessArgs a = args_for(guard.id, config.path, 100);
    a.actor_id = 1, a.num_actors = 2;
    const pid_t actor = test::fork_child([&] { return run_actor_process(a); });
    REQUIRE(test::wait_child(actor) == 0);
  }
  auto seg = shm::Segment::open(guard.id, seg::actor_ring(1));
  auto ring = shm::SpscRing::attach(seg.data(), seg.size());
  CHECK(ring.producer_epoch() == 2);
  CHECK(ring.pushed() >= 200 - 2 * 2 * 2);  // each run leaves < n steps per env unfinished
  CHECK(ring.pushed() <= 200);
  const auto stats = read_stats({guard.id, ProcessId::self(), ""}, seg::actor_stats(1));
  CHECK(stats.at(stat::kEnvSteps) == 200);
  // Actor 1 of 2 with 2 envs holds explorers 2 and 3 of 4 (alpha 7); the stat is the larger epsilon.
  CHECK(stats.at(stat::kEpsilon) == Approx(std::pow(0.5, 1 + 7.0 * 2 / 3)));
}

TEST_CASE("an actor exits cleanly on SIGTERM and when its parent dies", "[process]") {
  test::RunGuard guard;
  TempFile config(guard.id + ".toml"), dump(guard.id + ".bin");
  write_config(config.path, "CartPole-v1", 16);
  const pid_t consumer = test::fork_child([&] { return consume(guard.id, dump.path); });
  const ActorProcessArgs args = args_for(guard.id, config.path, 0);
  const pid_t actor = test::fork_child([&] { return run_actor_process(args); });
  const Deadline deadline = deadline_in(30s);
  while (read_stats({guard.id, ProcessId::self(), ""}, seg::actor_stats(0))[stat::kRecords] < 2000) {
    REQUIRE(Clock::now() < deadline);
    std::this_thread::sleep_for(5ms);
  }
  ::kill(actor, SIGTERM);
  const auto t0 = Clock::now();
  CHECK(test::wait_child(actor) == 0);
  CHECK(Clock::now() - t0 < 5s);
  CHECK(test::wait_child(consumer) == 0);

  // Parent death: an intermediate process owns the run and starts the actor, then dies.
  test::RunGuard orphan_run;
  const pid_t parent = test::fork_child([&] {
    ActorProcessArgs a = args_for(orphan_run.id, config.path, 0);  // owner_pid = this process
    const pid_t child = test::fork_child([&] { return run_actor_process(a); });
    (void)child;
    const Deadline d = deadline_in(30s);
    while (!shm::Segment::exists(orphan_run.id, seg::actor_stats(0)) && Clock::now() < d)
      std::this_thread::sleep_for(1ms);
    return 0;  // exits without waiting: the actor is orphaned
  });
  REQUIRE(test::wait_child(parent) == 0);
  std::this_thread::sleep_for(50ms);
  auto seg = shm::Segment::open(orphan_run.id, seg::actor_ring(0));
  auto ring = shm::SpscRing::attach(seg.data(), seg.size());
  const Deadline d = deadline_in(10s);
  while (ring.producer_alive()) {
    REQUIRE(Clock::now() < d);
    std::this_thread::sleep_for(5ms);
  }
}

TEST_CASE("an actor process with an unknown env id exits non-zero naming it", "[process]") {
  test::RunGuard guard;
  TempFile config(guard.id + ".toml");
  write_config(config.path, "NoSuchEnv-v9", 1);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const ActorProcessArgs args = args_for(guard.id, config.path, 10);
  const pid_t actor = test::fork_child([&] {
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    return run_actor_process(args);
  });
  ::close(fds[1]);
  std::string err;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) err.append(buf, std::size_t(n));
  ::close(fds[0]);
  CHECK(test::wait_child(actor) == 1);
  CHECK_THAT(err, Catch::Contains("shmrl actor: error:") && Catch::Contains("NoSuchEnv-v9"));
  CHECK(shm::list_segments(guard.id).empty());
}
