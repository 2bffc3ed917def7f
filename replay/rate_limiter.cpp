#include "replay/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace shmrl::replay {
namespace {
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
}  // namespace

RateLimiter::RateLimiter(const LimiterOptions& o)
    : opts_(o),
      min_diff_(o.samples_per_insert * static_cast<double>(o.min_size) - o.error_buffer),
      max_diff_(o.samples_per_insert * static_cast<double>(o.min_size) + o.error_buffer) {}

double RateLimiter::restore(uint64_t size, double diff) {
  std::lock_guard lock(mu_);
  c_.size = std::min(size, opts_.capacity);
  if (c_.size < opts_.min_size)
    diff = static_cast<double>(c_.size) * opts_.samples_per_insert;  // as if filled from empty
  else if (std::isfinite(min_diff_))
    diff = std::clamp(diff, min_diff_, max_diff_);
  c_.diff = diff;
  insert_cv_.notify_all();
  sample_cv_.notify_all();
  return diff;
}

uint64_t RateLimiter::allowance() const {
  uint64_t n = c_.size < opts_.min_size ? opts_.min_size - c_.size : 0;
  const double room = (max_diff_ - c_.diff) / opts_.samples_per_insert;
  if (room >= 1) n = std::max(n, room >= 1e18 ? uint64_t{1} << 60 : static_cast<uint64_t>(room));
  return n;
}

bool RateLimiter::can_sample(uint64_t n) const {
  return c_.size >= opts_.min_size && c_.diff - static_cast<double>(n) >= min_diff_;
}

uint64_t RateLimiter::insert_allowance() const {
  std::lock_guard lock(mu_);
  return allowance();
}

uint64_t RateLimiter::wait_insert(Deadline deadline) {
  std::unique_lock lock(mu_);
  uint64_t n = allowance();
  if (n > 0 || shutdown_) return shutdown_ ? 0 : n;
  const auto t0 = Clock::now();
  insert_cv_.wait_until(lock, deadline, [&] { return shutdown_ || allowance() > 0; });
  c_.insert_blocked_s += seconds_since(t0);
  return shutdown_ ? 0 : allowance();
}

void RateLimiter::inserted(uint64_t n, uint64_t size) {
  if (n == 0) return;
  {
    std::lock_guard lock(mu_);
    c_.inserts += n;
    c_.diff += static_cast<double>(n) * opts_.samples_per_insert;
    c_.size = size;
  }
  sample_cv_.notify_all();
}

bool RateLimiter::sample(uint64_t n, Deadline deadline) {
  {
    std::unique_lock lock(mu_);
    if (!can_sample(n)) {
      const auto t0 = Clock::now();
      sample_cv_.wait_until(lock, deadline, [&] { return shutdown_ || can_sample(n); });
      c_.sample_blocked_s += seconds_since(t0);
    }
    if (shutdown_ || !can_sample(n)) return false;
    c_.samples += n;
    c_.diff -= static_cast<double>(n);
  }
  insert_cv_.notify_all();
  return true;
}

void RateLimiter::shutdown() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
  }
  insert_cv_.notify_all();
  sample_cv_.notify_all();
}

LimiterCounters RateLimiter::counters() const {
  std::lock_guard lock(mu_);
  return c_;
}

}  // namespace shmrl::replay
