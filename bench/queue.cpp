// `shmrl bench queue [--json]`: the shared-memory SPSC ring against its references, for CartPole-
// (48 B) and Atari-sized (28,224 B) records.
//   ring_records_per_s / ring_gb_per_s  producer process -> consumer process through SpscRing in a
//                                       real segment (copying batch push and pop, checksums on)
//   boost_spsc_records_per_s            boost::lockfree::spsc_queue, two threads of one process,
//                                       the same records and batch sizes
//   boost_spsc_tagged_records_per_s     the same boost queue given the ring's integrity: each element
//                                       is the record plus the ring's 8-byte tag (seq + checksum),
//                                       which its producer computes and its consumer verifies
//   boost_spsc_56b_records_per_s        (48 B only) the plain boost queue moving 56-byte records:
//                                       the bytes per record the ring moves, without the checksum
//                                       work; between two cores both queues are bound by bytes moved
//   *_single_records_per_s              the same two, one record per push and per pop call
//   memcpy_gb_per_s                     one thread copying the same records between two buffers
//                                       as large as the ring's slots
// Every figure is wall-clock throughput: on a loaded machine both queues lose to the load.
// Producer and consumer are pinned to two different CPUs for both queues (when there are two):
// unpinned, the scheduler sometimes runs boost's two threads on one core, where the queue never
// leaves that core's cache and its figure jumps several-fold from run to run.
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/lockfree/spsc_queue.hpp>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "bench/benches.h"
#include "common/proc.h"
#include "common/shm/checksum.h"
#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"
#include "common/time.h"

namespace shmrl::bench {
namespace {

using namespace std::chrono_literals;

struct Case {
  uint32_t record_bytes;
  uint32_t capacity;  // ring slots (the boost queue gets as many)
  uint32_t batch;     // records per push / pop call
  uint64_t records;   // records moved per measurement
};

struct Result {
  double ring = 0, ring_single = 0, boost = 0, boost_single = 0, boost_tagged = 0, boost_56b = 0;
  double memcpy_gb_per_s = 0;
};

constexpr int kConsumerCpu = 0, kProducerCpu = 1;

// Pins the calling thread to one CPU while alive, then restores its affinity. No-op on one CPU.
class PinnedTo {
 public:
  explicit PinnedTo(int cpu) {
    if (std::thread::hardware_concurrency() < 2) return;
    pinned_ = pthread_getaffinity_np(pthread_self(), sizeof saved_, &saved_) == 0;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pinned_ = pinned_ && pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
  }
  ~PinnedTo() {
    if (pinned_) pthread_setaffinity_np(pthread_self(), sizeof saved_, &saved_);
  }
  PinnedTo(const PinnedTo&) = delete;
  PinnedTo& operator=(const PinnedTo&) = delete;

 private:
  cpu_set_t saved_{};
  bool pinned_ = false;
};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Records whose first word is their index (so nothing is optimised away, and orders are visible).
std::vector<std::byte> make_records(uint32_t bytes, uint32_t n) {
  std::vector<std::byte> v(std::size_t{bytes} * n);
  for (uint64_t i = 0; i < n; ++i) {
    std::memset(&v[bytes * i], static_cast<int>(i), bytes);
    if (bytes >= 8) std::memcpy(&v[bytes * i], &i, 8);
  }
  return v;
}

// Producer child process pushes c.records; the parent consumes and times from the producer's
// claim to the last record.
double ring_records_per_s(const Case& c) {
  const std::string run = shm::new_run_id();
  struct Cleanup {
    std::string run;
    ~Cleanup() { shm::remove_run(run); }
  } cleanup{run};
  const shm::RingOptions opts{c.record_bytes, c.capacity};
  auto seg = shm::Segment::create(run, "queue", shm::SpscRing::bytes_needed(opts));
  auto ring = shm::SpscRing::create(seg.data(), seg.size(), opts);
  ring.claim_consumer();
  std::vector<std::byte> out(std::size_t{c.record_bytes} * c.batch);
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("bench queue: fork failed");
  if (child == 0) {
    int rc = 0;
    try {
      die_with_parent(SIGKILL);
      PinnedTo pin(kProducerCpu);
      auto seg_p = shm::Segment::open(run, "queue");
      auto prod = shm::SpscRing::attach(seg_p.data(), seg_p.size());
      const std::vector<std::byte> in = make_records(c.record_bytes, c.batch);
      prod.claim_producer();
      for (uint64_t sent = 0; sent < c.records;) {
        const std::size_t n = std::min<uint64_t>(c.batch, c.records - sent);
        if (prod.push_batch(in.data(), n, deadline_in(30s)) != n) {
          rc = 2;
          break;
        }
        sent += n;
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench queue producer: %s\n", e.what());
      rc = 1;
    }
    ::_exit(rc);
  }
  PinnedTo pin(kConsumerCpu);
  const Deadline ready_by = deadline_in(30s);
  while (ring.producer_epoch() == 0 && Clock::now() < ready_by) std::this_thread::yield();
  const auto t0 = Clock::now();
  uint64_t got = 0;
  while (got < c.records) {
    const std::size_t n = ring.pop_batch(out.data(), c.batch, deadline_in(30s));
    if (n == 0) break;
    got += n;
  }
  const double s = seconds_since(t0);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (got != c.records || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      ring.corrupt_records() != 0) {
    throw std::runtime_error("bench queue: ring run failed (" + std::to_string(got) + " of " +
                             std::to_string(c.records) + " records)");
  }
  return static_cast<double>(c.records) / s;
}

// boost::lockfree::spsc_queue of Elements between a producer thread and this thread, both pinned.
// Before pushing elements [first, first + n) of the stream from `in`, the producer calls
// seal(in, first, n); after popping them into `out`, the consumer calls check(out, first, n), which
// returns how many are wrong (the run throws if any are).
template <class Element, class Seal, class Check>
double time_boost(const Case& c, std::vector<Element> in, Seal seal, Check check) {
  boost::lockfree::spsc_queue<Element> q(c.capacity);
  std::vector<Element> out(c.batch);
  const auto t0 = Clock::now();
  PinnedTo pin(kConsumerCpu);
  std::thread producer([&] {
    PinnedTo producer_pin(kProducerCpu);
    Backoff backoff;
    for (uint64_t sent = 0; sent < c.records;) {
      const std::size_t n = std::min<uint64_t>(c.batch, c.records - sent);
      seal(in, sent, n);
      for (std::size_t done = 0; done < n;) {
        const std::size_t k = q.push(in.data() + done, n - done);
        done += k;
        k > 0 ? backoff.reset() : backoff.pause();
      }
      sent += n;
    }
  });
  Backoff backoff;
  uint64_t wrong = 0;
  for (uint64_t got = 0; got < c.records;) {
    const std::size_t n = q.pop(out.data(), c.batch);
    wrong += check(out, got, n);
    got += n;
    n > 0 ? backoff.reset() : backoff.pause();
  }
  const double s = seconds_since(t0);
  producer.join();
  if (wrong != 0) throw std::runtime_error("bench queue: boost run delivered wrong records");
  return static_cast<double>(c.records) / s;
}

template <uint32_t Bytes>
double boost_records_per_s(const Case& c) {
  struct Record {
    std::byte b[Bytes];
  };
  const std::vector<std::byte> raw = make_records(Bytes, c.batch);
  std::vector<Record> in(c.batch);
  std::memcpy(in.data(), raw.data(), raw.size());
  return time_boost(
      c, std::move(in), [](std::vector<Record>&, uint64_t, std::size_t) {},
      [](const std::vector<Record>&, uint64_t, std::size_t) { return uint64_t{0}; });
}

// boost carrying what the ring carries: the producer seals each element's tag (the payloads are
// already in place, as if the application wrote them there) and pushes; the consumer pops and
// verifies. The same checksum function as the ring's.
template <uint32_t Bytes>
double boost_tagged_records_per_s(const Case& c) {
  struct Element {
    std::byte payload[Bytes];
    shm::RecordTag tag;
  };
  const std::vector<std::byte> raw = make_records(Bytes, c.batch);
  std::vector<Element> in(c.batch);
  for (uint32_t i = 0; i < c.batch; ++i) std::memcpy(in[i].payload, &raw[std::size_t{Bytes} * i], Bytes);
  auto tag_of = [](const Element& e, uint64_t seq) {
    return shm::RecordTag{static_cast<uint32_t>(seq), shm::detail::checksum(e.payload, Bytes, seq)};
  };
  return time_boost(
      c, std::move(in),
      [&](std::vector<Element>& v, uint64_t first, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) v[i].tag = tag_of(v[i], first + i);
      },
      [&](const std::vector<Element>& v, uint64_t first, std::size_t n) {
        uint64_t wrong = 0;
        for (std::size_t i = 0; i < n; ++i) {
          const shm::RecordTag want = tag_of(v[i], first + i);
          wrong += v[i].tag.seq != want.seq || v[i].tag.checksum != want.checksum;
        }
        return wrong;
      });
}

// One thread copying record by record between two buffers the size of the ring's slot area.
double memcpy_gb_per_s(const Case& c) {
  const std::size_t bytes = std::size_t{c.record_bytes} * c.capacity;
  std::vector<std::byte> src = make_records(c.record_bytes, c.capacity), dst(bytes);
  const auto t0 = Clock::now();
  for (uint64_t i = 0; i < c.records; ++i) {
    const std::size_t off = (i % c.capacity) * c.record_bytes;
    std::memcpy(dst.data() + off, src.data() + off, c.record_bytes);
    asm volatile("" : : "r"(dst.data()) : "memory");  // keep every copy
  }
  const double s = seconds_since(t0);
  return static_cast<double>(c.records) * c.record_bytes / s / 1e9;
}

Result run_case(const Case& c) {
  auto boost = c.record_bytes == 48 ? boost_records_per_s<48> : boost_records_per_s<28224>;
  auto boost_tagged =
      c.record_bytes == 48 ? boost_tagged_records_per_s<48> : boost_tagged_records_per_s<28224>;
  Case single = c;
  single.batch = 1;
  single.records = std::max<uint64_t>(1, c.records / 4);
  Result r;
  r.ring = ring_records_per_s(c);
  r.boost = boost(c);
  r.boost_tagged = boost_tagged(c);
  if (c.record_bytes == 48) r.boost_56b = boost_records_per_s<56>(c);
  r.ring_single = ring_records_per_s(single);
  r.boost_single = boost(single);
  r.memcpy_gb_per_s = memcpy_gb_per_s(c);
  return r;
}

void run(bool json, double scale) {
  const std::vector<Case> cases = {
      {48, 1u << 14, 512, static_cast<uint64_t>(4e7 * scale)},
      {28224, 64, 8, static_cast<uint64_t>(4e5 * scale)},
  };
  nlohmann::json out = nlohmann::json::array();
  if (!json) {
    std::printf("%8s %12s %10s %12s %14s %12s %12s %12s %13s\n", "bytes", "ring rec/s", "ring GB/s",
                "boost rec/s", "boost+tag r/s", "memcpy GB/s", "ring/memcpy", "ring 1-by-1",
                "boost 1-by-1");
  }
  for (const Case& c : cases) {
    const Result r = run_case(c);
    const double ring_gb = r.ring * c.record_bytes / 1e9;
    if (json) {
      out.push_back({{"record_bytes", c.record_bytes},
                     {"ring_records_per_s", r.ring},
                     {"ring_gb_per_s", ring_gb},
                     {"boost_spsc_records_per_s", r.boost},
                     {"boost_spsc_gb_per_s", r.boost * c.record_bytes / 1e9},
                     {"boost_spsc_tagged_records_per_s", r.boost_tagged},
                     {"ring_vs_boost_tagged", r.ring / r.boost_tagged},
                     {"boost_spsc_56b_records_per_s", r.boost_56b},
                     {"memcpy_gb_per_s", r.memcpy_gb_per_s},
                     {"ring_vs_memcpy", ring_gb / r.memcpy_gb_per_s},
                     {"ring_vs_boost", r.ring / r.boost},
                     {"ring_single_records_per_s", r.ring_single},
                     {"boost_spsc_single_records_per_s", r.boost_single},
                     {"ring_capacity", c.capacity},
                     {"batch", c.batch},
                     {"records", c.records},
                     {"pinned_cpus", {kConsumerCpu, kProducerCpu}}});
    } else {
      std::printf("%8u %12.4g %10.3f %12.4g %14.4g %12.3f %11.0f%% %12.4g %13.4g\n", c.record_bytes,
                  r.ring, ring_gb, r.boost, r.boost_tagged, r.memcpy_gb_per_s,
                  100 * ring_gb / r.memcpy_gb_per_s, r.ring_single, r.boost_single);
    }
  }
  // 48-byte records at the batch sizes the product uses (an actor pushes one record per env of a
  // step, the replay drains up to a few hundred at a time).
  nlohmann::json sweep = nlohmann::json::array();
  if (!json) std::printf("\n48 B by batch size:\n%8s %12s %12s %14s\n", "batch", "ring rec/s",
                         "boost rec/s", "boost+tag r/s");
  for (uint32_t batch : {1u, 16u, 64u, 512u}) {
    const Case c{48, 1u << 14, batch, static_cast<uint64_t>((batch < 64 ? 1e7 : 4e7) * scale)};
    const double ring = ring_records_per_s(c), boost = boost_records_per_s<48>(c),
                 tagged = boost_tagged_records_per_s<48>(c);
    if (json) {
      sweep.push_back({{"batch", batch},
                       {"ring_records_per_s", ring},
                       {"boost_spsc_records_per_s", boost},
                       {"boost_spsc_tagged_records_per_s", tagged}});
    } else {
      std::printf("%8u %12.4g %12.4g %14.4g\n", batch, ring, boost, tagged);
    }
  }
  if (json) std::cout << nlohmann::json{{"queue", out}, {"batch_sweep_48", sweep}}.dump(2) << "\n";
}

}  // namespace

void add_queue_bench(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("queue", "SPSC ring vs boost spsc_queue vs memcpy (48 B, 28,224 B)");
  static bool json = false;
  static double scale = 1.0;
  cmd->add_flag("--json", json, "print JSON");
  cmd->add_option("--scale", scale, "multiply the record counts (default 1: about a second each)")
      ->check(CLI::PositiveNumber);
  cmd->callback([] { run(json, scale); });
}

}  // namespace shmrl::bench
