#pragma once
// Deadlines and the wait policy every blocking call in shmrl uses.
#include <chrono>

namespace shmrl {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

inline Deadline deadline_in(std::chrono::nanoseconds d) { return Clock::now() + d; }

// Spin, then yield, then sleep with exponential back-off capped at max_sleep. Used between polls of
// shared-memory indices; cheap when the wait is short, gentle on a 2-core machine when it is long.
class Backoff {
 public:
  explicit Backoff(std::chrono::microseconds max_sleep = std::chrono::microseconds(200))
      : max_sleep_(max_sleep) {}
  // Waits one step. Any thread.
  void pause();
  void reset() { step_ = 0; }

 private:
  std::chrono::microseconds max_sleep_;
  unsigned step_ = 0;
};

}  // namespace shmrl
