#include "common/time.h"

#include <sched.h>

#include <algorithm>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SHMRL_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define SHMRL_CPU_RELAX() asm volatile("yield" ::: "memory")
#else
#define SHMRL_CPU_RELAX() ((void)0)
#endif

namespace shmrl {

namespace {
// A short spin catches the common case of a peer that is about to publish (a few hundred ns);
// yielding next lets a co-scheduled peer run on a busy 2-core box; sleeping last keeps an idle
// waiter from burning a core.
constexpr unsigned kSpinSteps = 64;
constexpr unsigned kYieldSteps = 16;
}  // namespace

void Backoff::pause() {
  if (step_ < kSpinSteps) {
    for (unsigned i = 0; i < 4; ++i) SHMRL_CPU_RELAX();
  } else if (step_ < kSpinSteps + kYieldSteps) {
    sched_yield();
  } else {
    const unsigned shift = std::min(step_ - kSpinSteps - kYieldSteps, 20u);
    const auto sleep = std::min(std::chrono::microseconds(1u << shift), max_sleep_);
    std::this_thread::sleep_for(sleep);
  }
  if (step_ < kSpinSteps + kYieldSteps + 32) ++step_;
}

}  // namespace shmrl
