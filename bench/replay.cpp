// `shmrl bench replay [--json]`: the replay service at CartPole-sized transitions.
//   insert_per_s              records pushed by an actor-like thread through an actor ring and stored
//                             by the service's writer (ring commit to storage commit)
//   uniform_sample_per_s      transitions/s of ready batches (batch 256) a learner-like thread takes
//   prioritized_sample_per_s  the same with the prioritized selector (sum tree over `capacity`)
//   priority_update_per_s     updates a learner-like thread sends that the service applies
//   atari                     Atari-shaped records ([4, 84, 84] uint8 stacks, a seeded stream of 32
//                             envs' n-step records) in a frame-deduplicated storage of
//                             --atari-capacity items filled twice over: bytes_per_transition
//                             (segment bytes / items stored), the naive store's, frames per item,
//                             write_per_s and read_per_s (records rebuilt) of the storage alone
// Each figure comes from a full service (real shared memory, rings, batch slots, its own threads)
// whose storage holds `capacity` items; no rate-limiter ratio (error_buffer = inf), so each side
// runs at its own speed.
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "actors/envs/registry.h"
#include "bench/atari_stream.h"
#include "bench/benches.h"
#include "common/shm/segment.h"
#include "replay/batch_slots.h"
#include "replay/priority_updates.h"
#include "replay/service.h"

namespace shmrl::bench {
namespace {

using namespace std::chrono_literals;
using replay::ReplayOptions;
using replay::ReplayService;
using replay::SelectorKind;

struct Args {
  bool json = false;
  uint64_t capacity = 1000000;
  uint32_t batch = 256;
  uint64_t inserts = 20000000;
  uint64_t updates = 5000000;
  double seconds = 3.0;
  uint64_t atari_capacity = 50000;
};

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// A run of its own for each service; its segments go with it.
struct BenchRun {
  RunContext run{shm::new_run_id(), ProcessId::self(), "/tmp"};
  ~BenchRun() { shm::remove_run(run.run_id); }
};

ReplayOptions options(const Args& a, SelectorKind sel) {
  ReplayOptions o = replay::parse_replay_options("");
  o.actors = 1;
  o.learners = 1;
  o.capacity = a.capacity;
  o.batch_size = a.batch;
  o.selector = sel;
  o.min_size_to_sample = 1;
  o.error_buffer = std::numeric_limits<double>::infinity();
  o.ring_capacity = 1 << 16;
  o.priority_ring_capacity = 1 << 16;
  return o;
}

// CartPole-like records with varied priorities, pushed in commits of 256 like an actor does.
double fill(ReplayService& svc, const RunContext& run, const TransitionSchema& schema, uint64_t n) {
  auto r = shm::open_or_create_ring(run, seg::actor_ring(0),
                                       {static_cast<uint32_t>(schema.record_bytes()), 1 << 16},
                                       deadline_in(10s));
  r.ring.claim_producer();
  constexpr std::size_t kChunk = 256;
  std::vector<std::byte> recs(kChunk * schema.record_bytes());
  const float obs[4] = {0.01f, -0.2f, 0.03f, 0.4f};
  const int32_t action = 1;
  for (std::size_t i = 0; i < kChunk; ++i) {
    TransitionRef t;
    t.obs = t.next_obs = reinterpret_cast<const std::byte*>(obs);
    t.action = reinterpret_cast<const std::byte*>(&action);
    t.reward = 1;
    t.discount = 0.97f;
    t.initial_priority = 0.1f + float(i % 17);
    schema.pack(t, recs.data() + i * schema.record_bytes());
  }
  const uint64_t target = svc.committed() + n;
  const auto t0 = Clock::now();
  uint64_t pushed = 0;
  while (pushed < n) {
    const std::size_t k = r.ring.try_push_batch(recs.data(), std::min<uint64_t>(kChunk, n - pushed));
    if (k == 0) std::this_thread::yield();
    pushed += k;
  }
  while (svc.committed() < target) std::this_thread::yield();
  return static_cast<double>(n) / since(t0);
}

// A learner that takes batches as fast as they come for `seconds`. Returns transitions/s.
double consume(const RunContext& run, const TransitionSchema& schema, const Args& a) {
  auto reader = replay::BatchReader::attach(run, 0, schema, a.batch, deadline_in(10s));
  for (int i = 0; i < 8; ++i) {  // warm-up; also drops batches sampled before the timing
    auto b = reader.acquire(deadline_in(10s));
    if (!b) throw std::runtime_error("bench replay: no batch within 10 s");
    reader.release(*b);
  }
  uint64_t batches = 0;
  const auto t0 = Clock::now();
  while (since(t0) < a.seconds) {
    auto b = reader.acquire(deadline_in(10s));
    if (!b) throw std::runtime_error("bench replay: no batch within 10 s");
    reader.release(*b);
    ++batches;
  }
  return static_cast<double>(batches * a.batch) / since(t0);
}

// A learner sending |td| priorities for stored keys, batch by batch. Returns applied updates/s.
double update(ReplayService& svc, const RunContext& run, const Args& a) {
  auto writer = replay::PriorityWriter::attach(run, 0, deadline_in(10s));
  std::mt19937_64 rng(1);
  const uint64_t lo = svc.committed() - svc.size();
  std::vector<uint64_t> keys(a.batch);
  std::vector<float> prios(a.batch);
  const uint64_t applied0 = svc.counters().prio_applied.load();
  const auto t0 = Clock::now();
  for (uint64_t sent = 0; sent < a.updates; sent += a.batch) {
    for (uint32_t i = 0; i < a.batch; ++i) {
      keys[i] = lo + rng() % svc.size();
      prios[i] = 0.01f + float(rng() % 1000) * 0.01f;
    }
    if (writer.push(keys, prios, deadline_in(10s)) != a.batch)
      throw std::runtime_error("bench replay: priority ring stuck for 10 s");
  }
  const uint64_t want = applied0 + (a.updates + a.batch - 1) / a.batch * a.batch;
  while (svc.counters().prio_applied.load() < want) std::this_thread::yield();
  return static_cast<double>(want - applied0) / since(t0);
}

nlohmann::json atari_bench(const Args& a) {
  const std::size_t n = 4 * 84 * 84;
  const TransitionSchema schema(
      Space::box({4, 84, 84}, std::vector<float>(n, 0.0f), std::vector<float>(n, 255.0f), DType::U8),
      Space::discrete(6));
  BenchRun r;
  auto st = replay::Storage::create(r.run, a.atari_capacity, schema, 1.0, /*frames=*/true);
  AtariStream stream(schema, {.envs = 32, .n_step = 3, .frame_side = 84, .max_episode_steps = 2000,
                              .repeat_frame = 0.05, .seed = 1});
  std::vector<std::byte> rec(schema.record_bytes());
  double write_s = 0;
  const uint64_t chunk = std::min<uint64_t>(256, st.max_insert());
  for (uint64_t done = 0; done < 2 * a.atari_capacity; done += chunk) {
    st.begin_insert(chunk);
    const uint64_t key = st.committed();
    for (uint64_t i = 0; i < chunk; ++i) {
      stream.next(rec.data());  // not timed: making frames
      const auto t0 = Clock::now();
      st.write(key + i, rec.data());
      write_s += since(t0);
    }
    st.commit(chunk, 0, key + chunk);
  }
  std::mt19937_64 rng(2);
  uint64_t reads = 0;
  const auto t0 = Clock::now();
  for (; since(t0) < a.seconds; ++reads) st.read(st.begin() + rng() % st.size(), rec.data());
  const double read_s = since(t0);
  const double stored = static_cast<double>(st.size());
  return {{"capacity", a.atari_capacity},
          {"stored", st.size()},
          {"record_bytes", schema.record_bytes()},
          {"bytes_per_transition", static_cast<double>(replay::Storage::bytes_needed(a.atari_capacity, schema, true)) / stored},
          {"naive_bytes_per_transition",
           static_cast<double>(replay::Storage::bytes_needed(a.atari_capacity, schema, false)) / static_cast<double>(a.atari_capacity)},
          {"frames_per_transition", static_cast<double>(st.frames()->frames_in_use()) / stored},
          {"write_per_s", static_cast<double>(2 * a.atari_capacity) / write_s},
          {"read_per_s", static_cast<double>(reads) / read_s}};
}

void run_bench(const Args& a) {
  const auto env = envs::make_env("CartPole-v1");
  const TransitionSchema schema(env->observation_space(), env->action_space());
  nlohmann::json out;
  {
    BenchRun r;
    ReplayService svc(r.run, options(a, SelectorKind::Uniform), schema);
    svc.start();
    fill(svc, r.run, schema, std::min<uint64_t>(a.inserts, 1 << 20));  // warm-up: pages, caches
    out["insert_per_s"] = fill(svc, r.run, schema, a.inserts);
    out["uniform_sample_per_s"] = consume(r.run, schema, a);
    svc.stop();
  }
  {
    BenchRun r;
    ReplayService svc(r.run, options(a, SelectorKind::Prioritized), schema);
    svc.start();
    fill(svc, r.run, schema, a.capacity);
    out["prioritized_sample_per_s"] = consume(r.run, schema, a);
    out["priority_update_per_s"] = update(svc, r.run, a);
    svc.stop();
  }
  out["atari"] = atari_bench(a);
  out["capacity"] = a.capacity;
  out["batch_size"] = a.batch;
  out["record_bytes"] = schema.record_bytes();
  if (a.json) {
    std::cout << nlohmann::json{{"replay", out}}.dump() << "\n";
  } else {
    std::cout << "replay bench (capacity " << a.capacity << ", " << schema.record_bytes()
              << "-byte records, batch " << a.batch << ")\n";
    for (auto& [k, v] : out.items()) std::cout << "  " << k << ": " << v << "\n";
  }
}

}  // namespace

void add_replay_bench(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("replay", "Replay service: inserts/s, sampled transitions/s, priority updates/s");
  auto a = std::make_shared<Args>();
  cmd->add_flag("--json", a->json, "print one JSON object");
  cmd->add_option("--capacity", a->capacity, "stored transitions")->capture_default_str();
  cmd->add_option("--batch", a->batch, "transitions per sampled batch")->capture_default_str();
  cmd->add_option("--inserts", a->inserts, "records timed for insert_per_s")->capture_default_str();
  cmd->add_option("--updates", a->updates, "priority updates timed")->capture_default_str();
  cmd->add_option("--seconds", a->seconds, "seconds per sampling measurement")->capture_default_str();
  cmd->add_option("--atari-capacity", a->atari_capacity, "items of the frame-deduplicated Atari storage")->capture_default_str();
  cmd->callback([a] {
    try {
      run_bench(*a);
    } catch (const std::exception& e) {
      std::cerr << "shmrl bench replay: " << e.what() << "\n";
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace shmrl::bench
