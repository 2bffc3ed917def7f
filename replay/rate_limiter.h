#pragma once
// Reverb's SampleToInsertRatio rate limiter, in one process (the replay service's drain and sampler
// threads). diff = inserts * samples_per_insert - samples, kept as one double.
//   - Inserts are free while the table holds fewer than min_size items; past that an insert needs
//     diff + spi <= max_diff (= spi * min_size + error_buffer).
//   - A sample of n needs size >= min_size and diff - n >= min_diff (= spi * min_size - error_buffer).
// With error_buffer >= (batch + spi) / 2 (checked by ReplayOptions::validate) some side can always
// proceed, so the only long waits are for the other side's processes. error_buffer = inf: no ratio,
// only the min size gate.
//
// Threading: every method is thread-safe (one mutex, two condition variables). Any number of
// inserting and sampling threads; blocked time is summed per side across threads.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "common/time.h"

namespace shmrl::replay {

struct LimiterOptions {
  uint64_t min_size = 1;
  double samples_per_insert = 1;
  double error_buffer = 1;
  uint64_t capacity = 1;
};

struct LimiterCounters {
  uint64_t inserts = 0, samples = 0, size = 0;
  double diff = 0;
  double insert_blocked_s = 0, sample_blocked_s = 0;
};

class RateLimiter {
 public:
  explicit RateLimiter(const LimiterOptions& opts);  // options already validated

  double min_diff() const { return min_diff_; }
  double max_diff() const { return max_diff_; }

  // Sets the state after a restart or a restore: size items stored; diff clamped into
  // [min_diff, max_diff] (or, below min_size, set to size * spi as if filled from empty) so a state
  // saved under other settings cannot hold inserters or samplers back. Returns the diff in force.
  double restore(uint64_t size, double diff);

  // How many inserts may go now (0 = blocked). Non-blocking. O(1).
  uint64_t insert_allowance() const;
  // Waits until insert_allowance() > 0 or the deadline (counts the wait as insert-blocked time).
  // Returns the allowance (0 on timeout or after shutdown()).
  uint64_t wait_insert(Deadline deadline);
  // Records n inserts (n <= the last allowance, by the only inserting thread), size now `size`.
  void inserted(uint64_t n, uint64_t size);
  // Waits until a sample of n may go, then records it. False on timeout or after shutdown().
  bool sample(uint64_t n, Deadline deadline);
  // Wakes every waiter; later waits return at once. For service shutdown.
  void shutdown();

  LimiterCounters counters() const;

 private:
  bool can_sample(uint64_t n) const;  // mutex held
  uint64_t allowance() const;         // mutex held

  const LimiterOptions opts_;
  const double min_diff_, max_diff_;
  mutable std::mutex mu_;
  std::condition_variable insert_cv_, sample_cv_;
  LimiterCounters c_;
  bool shutdown_ = false;
};

}  // namespace shmrl::replay
