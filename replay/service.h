#pragma once
// The replay service: storage in shared memory, one writer thread and one sampler thread per
// learner, all in the calling process.
//
// Threads and what they own:
//   writer   drains every actor ring (consumer side) into the storage through the rate limiter,
//            applies the priority updates the samplers queue to it (moodycamel ConcurrentQueue)
//            and scrubs the stored records' checksums in the background. It is the only thread
//            that writes records; the samplers too mark a record corrupt (priority 0 in storage
//            and selector), under the storage lock like every selector access.
//   sampler  one per learner rank r: consumer of learner_priorities(r) (validates updates, queues
//            them for the writer), fills learner_batches(r) slots: limiter, then sample + gather
//            under the storage lock.
//   caller   start()/stop(), publish_stats(), checkpoint() (see process.h for the process loop).
// Lock order: storage lock (mu_) before the limiter's own mutex; nothing else nests.
//
// Segments (all with the run's owner as owner): replay_storage (kept across restarts, never
// unlinked here), actor_ring(i) for i < actors (created if missing, else attached), and per learner
// learner_batches(r) and learner_priorities(r), replay_stats.
#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <concurrentqueue/concurrentqueue.h>

#include "common/run.h"
#include "common/schema.h"
#include "common/shm/rings.h"
#include "common/stage_clock.h"
#include "common/stats.h"
#include "replay/batch_writer.h"
#include "replay/gather.h"
#include "replay/options.h"
#include "replay/priority_updates.h"
#include "replay/rate_limiter.h"
#include "replay/selectors/selector.h"
#include "replay/storage.h"

namespace shmrl::replay {

// Stage stats: "writer_stage_<stage>_s" (stages::ReplayWriter) and, per learner rank r,
// "sampler<r>_stage_<stage>_s" (stages::ReplaySampler).
inline constexpr const char* kWriterStagePrefix = "writer_";

// Totals since this service process started (storage-wide totals are in StorageHeader).
struct ServiceCounters {
  std::atomic<uint64_t> inserts{0}, rejected_items{0}, corrupt_records{0}, samples{0}, batches{0};
  // Batch rows dropped because their record failed its checksum (a record drawn again counts
  // again: the uniform selector still draws a marked one), and records the scrub found first.
  std::atomic<uint64_t> corrupt_stored_sampled{0}, corrupt_stored_scrubbed{0};
  std::atomic<uint64_t> prio_received{0}, prio_applied{0}, prio_stale{0}, prio_rejected{0},
      prio_ignored{0}, checkpoints{0};
};

class ReplayService {
 public:
  // Validates opts against the schema (std::invalid_argument), then creates or re-attaches every
  // segment. Storage: re-attached if it exists (a restart: generation + 1, trees rebuilt, limiter
  // restored), else created, and loaded from opts.restore_from when set (CheckpointError if the
  // file is refused). Waits up to `attach_timeout` for rings that others are formatting.
  ReplayService(const RunContext& run, const ReplayOptions& opts, const TransitionSchema& schema,
                std::chrono::milliseconds attach_timeout = std::chrono::seconds(10));
  ~ReplayService();  // stop(); unmaps; unlinks nothing

  void start();  // starts the writer and samplers; once
  void stop();   // stops and joins them (idempotent); frees slots left Filling
  bool restarted() const { return restarted_; }
  uint64_t generation() const { return storage_.generation(); }

  // Publishes counters to seg::replay_stats() ("ready" = 1 while the threads run). Caller thread
  // only (not thread-safe with itself or with start()/stop()).
  void publish_stats();
  // Writes a checkpoint of the current contents (holds the storage lock while writing).
  void checkpoint(const std::string& path);
  std::string default_checkpoint_path() const;

  // Observers for tests and benches (any thread).
  const ServiceCounters& counters() const { return c_; }
  LimiterCounters limiter_counters() const { return limiter_.counters(); }
  uint64_t size() const { return storage_.size(); }
  uint64_t committed() const { return storage_.committed(); }
  uint64_t actor_inserts(int actor) const { return actor_inserts_[actor].load(std::memory_order_relaxed); }
  // Storage lock held: the selector's index agrees with the stored priorities (prioritized: every
  // leaf equals priority^alpha of the stored item, or 0 outside the stored range).
  bool selector_consistent();

 private:
  void writer_loop();
  bool apply_priority_updates();                       // writer
  // At most max_take records of the ring, within the limiter's allowance. Writer thread.
  std::size_t drain_ring(int actor, uint64_t max_take, bool& blocked);
  void skip_to_ring_pos(int actor);                    // constructor
  // A record that failed its checksum: flagged, priority 0 (the prioritized selector never draws
  // it again). True the first time for this record. Storage lock held.
  bool drop_corrupt(uint64_t key);
  // Batch rows whose record fails its checksum are dropped and replaced by a copy of an intact
  // row (key, weight, record) of the same batch. Returns the intact rows (0: publish nothing).
  // sums: n scratch values. Storage lock held; O(n * record_bytes).
  std::size_t verify_rows(uint64_t* keys, const uint64_t* slots, const std::byte** records, float* weights,
                          uint32_t* sums, std::size_t n);
  // Verifies the next stored records (about kScrubBytes of them) from scrub_key_. Writer thread.
  void scrub();
  void sampler_loop(int rank);
  bool forward_priority_updates(int rank, moodycamel::ProducerToken& tok);  // sampler
  double beta_now() const;

  RunContext run_;
  ReplayOptions opts_;
  TransitionSchema schema_;
  BatchLayout layout_;
  Gatherer gatherer_;
  bool restarted_;  // before storage_: decides attach or create
  Storage storage_;
  std::unique_ptr<Selector> selector_;
  RateLimiter limiter_;
  std::vector<shm::SharedRing> actor_rings_;
  std::vector<shm::SharedRing> prio_rings_;
  std::vector<BatchWriter> batches_;
  moodycamel::ConcurrentQueue<PriorityUpdate> prio_queue_;
  std::unique_ptr<StatsWriter> stats_;
  std::vector<std::atomic<double>*> actor_insert_stats_;  // stats_ entries "actor<i>_inserts"
  std::unique_ptr<StageClock> writer_clock_;                // lapped by the writer thread only
  int first_ring_ = 0;  // writer thread: the ring drained first this round (rotates)
  uint64_t scrub_key_ = 0;       // writer thread: the next key the scrub verifies
  Clock::time_point next_scrub_;  // writer thread
  std::vector<std::unique_ptr<StageClock>> sampler_clocks_;  // [rank]: lapped by its sampler only

  std::mutex mu_;  // storage + selector
  ServiceCounters c_;
  std::unique_ptr<std::atomic<uint64_t>[]> actor_inserts_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  // Writer scratch.
  std::vector<float> prio_scratch_;
  std::vector<const std::byte*> rec_scratch_;
  std::vector<uint64_t> early_keys_;  // items the frame layout evicted early, and their zero priorities
  std::vector<float> early_zeros_;
  std::vector<PriorityUpdate> upd_scratch_;
  std::vector<uint64_t> upd_keys_;
  std::vector<float> upd_prios_;
};

}  // namespace shmrl::replay
