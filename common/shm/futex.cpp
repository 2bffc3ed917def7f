#include "common/shm/futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <ctime>

namespace shmrl::shm {
namespace {
static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) &&
              std::atomic<uint32_t>::is_always_lock_free);
uint32_t* addr(std::atomic<uint32_t>& w) { return reinterpret_cast<uint32_t*>(&w); }
}  // namespace

void futex_wait(std::atomic<uint32_t>& word, uint32_t expected, std::chrono::nanoseconds timeout) {
  if (timeout.count() <= 0) return;
  timespec ts{static_cast<time_t>(timeout.count() / 1000000000),
              static_cast<long>(timeout.count() % 1000000000)};
  // Shared (not FUTEX_PRIVATE): the word lives in a segment other processes map.
  ::syscall(SYS_futex, addr(word), FUTEX_WAIT, expected, &ts, nullptr, 0);
}

void futex_wake_all(std::atomic<uint32_t>& word) {
  ::syscall(SYS_futex, addr(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace shmrl::shm
