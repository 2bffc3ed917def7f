#pragma once
// Where a thread's wall time goes. The thread's loop calls lap(stage) each time a stage ends (a few
// clock reads per vector step or batch, never per record); the time since the previous lap is
// added to that stage, so the stages of one clock always sum to the time since it started.
// publish() writes each stage's total seconds to the process's stats block as
// "<prefix>stage_<name>_s"; the launcher turns their deltas into fractions of its own wall time.
//
// Threading: lap() and restart() from the owning thread only; publish() and seconds() from any
// thread (the totals are relaxed atomics with a single writer). Cost of lap(): one steady_clock
// read and one relaxed load + store.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/stats.h"
#include "common/time.h"

namespace shmrl {

// The stages of each role. Names (in enum order) are what the stats, metrics.csv and `shmrl top`
// show.
namespace stages {
// Actor: E env steps + resets; one batched policy forward; n-step building and record packing
// into the ring; waiting for room in a full ring; loading new weights from the board (and
// publishing the actor's stats).
enum class Actor { Env, Inference, Pack, RingWait, Weights };
inline constexpr std::array<const char*, 5> kActor = {"env", "inference", "pack", "ring_wait", "weights"};
// Replay writer thread: reading and checking ring records; storing them (storage lock, selector
// insert, commit); applying priority updates; waiting for the rate limiter to allow inserts;
// nothing to drain.
enum class ReplayWriter { Drain, Insert, Priorities, WaitInsert, Idle };
inline constexpr std::array<const char*, 5> kReplayWriter = {"drain", "insert", "priorities", "wait_insert",
                                                             "idle"};
// Replay sampler thread (one per learner): selector sampling; gathering the batch into its slot
// and publishing it; waiting for the rate limiter to allow a sample; waiting for the learner to
// free a slot; forwarding the learner's priority updates.
enum class ReplaySampler { Sample, WriteSlots, WaitSample, WaitSlot, Priorities };
inline constexpr std::array<const char*, 5> kReplaySampler = {"sample", "write_slots", "wait_sample",
                                                              "wait_slot", "priorities"};
// Learner training thread: waiting for the next batch (on the CPU batches are views of their slots,
// so the host-to-device copy is nil; on CUDA the prefetch thread copies, and whatever of the copy is
// not hidden shows here); forward + backward; the gradient all-reduce (nil with one learner); the
// optimizer step, target update and the rest of the update; reading the previous update's TD errors
// and writing priorities back (on CUDA this is where the host waits for the GPU); publishing
// weights; writing checkpoints.
enum class Learner { BatchWait, ForwardBackward, AllReduce, Optimizer, Priorities, Publish, Checkpoint };
inline constexpr std::array<const char*, 7> kLearner = {"batch_wait", "forward_backward", "all_reduce",
                                                        "optimizer",  "priorities",       "publish",
                                                        "checkpoint"};
}  // namespace stages

// "<prefix>stage_<name>_s" for each stage: the stats a clock publishes (register them with the
// StatsWriter before constructing the clock).
std::vector<std::string> stage_stat_names(std::span<const char* const> stages, std::string_view prefix = "");
std::string stage_stat_name(std::string_view stage, std::string_view prefix = "");

class StageClock {
 public:
  // Binds to `stats`' entries (registered with stage_stat_names(stages, prefix)): a restarted
  // process continues the totals its predecessor published. Starts counting now. Throws
  // std::out_of_range if an entry is missing.
  StageClock(std::span<const char* const> stages, StatsWriter& stats, std::string_view prefix = "");

  // Adds the time since the previous lap (or restart) to `stage`.
  template <class Stage>
  void lap(Stage stage) {
    const auto now = Clock::now();
    add(static_cast<std::size_t>(stage), (now - last_).count());
    last_ = now;
  }
  // Starts the next lap now, dropping the time since the previous one (e.g. after start-up).
  void restart() { last_ = Clock::now(); }
  // Total seconds of stage i counted by this clock (its predecessor's not included).
  double seconds(std::size_t i) const;
  // Writes predecessor's total + this clock's to every stage's stat.
  void publish();

 private:
  void add(std::size_t i, int64_t ns) {
    ns_[i].store(ns_[i].load(std::memory_order_relaxed) + ns, std::memory_order_relaxed);
  }

  std::size_t count_;
  std::vector<std::atomic<double>*> entries_;
  std::vector<double> base_;
  std::unique_ptr<std::atomic<int64_t>[]> ns_;
  Clock::time_point last_;
};

}  // namespace shmrl
