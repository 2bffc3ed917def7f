#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "replay/rate_limiter.h"

using namespace shmrl;
using namespace shmrl::replay;
using namespace std::chrono_literals;

TEST_CASE("rate limiter: a sampler blocks below min size and is released by the insert that reaches it") {
  RateLimiter lim({/*min_size=*/100, /*spi=*/1.0, /*error_buffer=*/1e9, /*capacity=*/1000});
  std::atomic<bool> done{false}, ok{false};
  std::thread sampler([&] {
    ok = lim.sample(10, deadline_in(20s));
    done = true;
  });
  uint64_t size = 0;
  for (int i = 0; i < 99; ++i) {
    REQUIRE(lim.insert_allowance() > 0);
    lim.inserted(1, ++size);
  }
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(done.load());  // 99 < min size
  lim.inserted(1, ++size);
  sampler.join();
  CHECK(ok.load());
  const auto c = lim.counters();
  CHECK(c.samples == 10);
  CHECK(c.sample_blocked_s >= 0.04);
}

TEST_CASE("rate limiter: deadlines fire on both sides") {
  RateLimiter lim({/*min_size=*/10, /*spi=*/2.0, /*error_buffer=*/20, /*capacity=*/1000});
  auto t0 = Clock::now();
  CHECK_FALSE(lim.sample(1, deadline_in(60ms)));  // empty table
  CHECK(Clock::now() - t0 >= 60ms);
  CHECK(Clock::now() - t0 < 5s);
  // Fill to min size (free), then past max_diff = 2*10 + 20 = 40: inserts stop at diff 40.
  uint64_t size = 0;
  while (uint64_t n = lim.insert_allowance()) {
    lim.inserted(1, ++size);
    REQUIRE(size < 100);
    (void)n;
  }
  CHECK(lim.counters().diff == 40);
  t0 = Clock::now();
  CHECK(lim.wait_insert(deadline_in(60ms)) == 0);
  CHECK(Clock::now() - t0 >= 60ms);
  CHECK(lim.counters().insert_blocked_s >= 0.05);
  // One sample of 2 lets exactly one more insert through.
  REQUIRE(lim.sample(2, deadline_in(1s)));
  CHECK(lim.insert_allowance() == 1);
}

TEST_CASE("rate limiter: samples per insert holds within the error buffer over a long run") {
  const double spi = 2.0, eb = 200;
  const uint64_t min_size = 500, batch = 64, inserts_total = 100000;
  RateLimiter lim({min_size, spi, eb, /*capacity=*/1000000});
  std::atomic<bool> stop{false};
  std::atomic<bool> violated{false};
  const double lo = lim.min_diff(), hi = lim.max_diff();
  std::thread sampler([&] {
    while (!stop.load()) {
      if (lim.sample(batch, deadline_in(5ms))) {
        const double d = lim.counters().diff;
        if (d < lo || d > hi) violated = true;
      }
    }
  });
  uint64_t size = 0;
  const auto t_end = Clock::now() + 60s;
  while (size < inserts_total && Clock::now() < t_end) {
    uint64_t n = lim.wait_insert(deadline_in(100ms));
    n = std::min<uint64_t>(n, 16);
    if (n == 0) continue;
    size += n;
    lim.inserted(n, size);
    if (size >= min_size) {
      const double d = lim.counters().diff;
      if (d < lo || d > hi) violated = true;
    }
  }
  stop = true;
  sampler.join();
  REQUIRE(size >= inserts_total);
  CHECK_FALSE(violated.load());
  const auto c = lim.counters();
  // |samples - spi * inserts| <= spi * min_size + error_buffer.
  CHECK(std::abs(double(c.samples) - spi * double(c.inserts)) <= spi * double(min_size) + eb);
  CHECK(double(c.samples) / double(c.inserts) == Approx(spi).epsilon(0.01));
}

TEST_CASE("rate limiter: restore re-centres a saved diff so neither side is stuck") {
  RateLimiter lim({/*min_size=*/100, /*spi=*/4.0, /*error_buffer=*/200, /*capacity=*/1000});
  // A diff saved under other settings, far above max_diff (600): clamped, so samples can go.
  CHECK(lim.restore(500, 1e9) == lim.max_diff());
  CHECK(lim.sample(64, deadline_in(1s)));
  // Far below: clamped to min_diff, so inserts can go.
  CHECK(lim.restore(500, -1e9) == lim.min_diff());
  CHECK(lim.insert_allowance() > 0);
  // Below min size: as if filled from empty (diff = size * spi).
  CHECK(lim.restore(50, 12345) == 200.0);
  CHECK(lim.insert_allowance() >= 50);
}

TEST_CASE("rate limiter: shutdown wakes blocked waiters") {
  RateLimiter lim({/*min_size=*/10, /*spi=*/1.0, /*error_buffer=*/100, /*capacity=*/100});
  std::atomic<bool> returned{false};
  std::thread t([&] {
    CHECK_FALSE(lim.sample(1, deadline_in(30s)));
    returned = true;
  });
  std::this_thread::sleep_for(20ms);
  lim.shutdown();
  t.join();
  CHECK(returned.load());
}
