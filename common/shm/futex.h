#pragma once
// Sleeping until a shared-memory word changes, across processes (Linux futex on a shared mapping;
// std::atomic::wait uses process-private futexes, so it cannot wake a waiter in another process).
// Used for the batch-slot handoff, so a learner or a sampler waiting for the other side is woken
// the moment a slot changes hands instead of polling with sleeps.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace shmrl::shm {

// Sleeps while word == expected, at most `timeout` (spurious and early returns allowed: callers
// re-check their condition). Any thread.
void futex_wait(std::atomic<uint32_t>& word, uint32_t expected, std::chrono::nanoseconds timeout);
// Wakes every waiter on word. Any thread, any process.
void futex_wake_all(std::atomic<uint32_t>& word);

// Waiter/notifier pair over two shared words: `count` bumps on every event, `waiters` counts
// sleepers so a notifier only makes the wake system call when someone sleeps.
// Waiter: v = prepare(); if (!condition) sleep(v, timeout); finish();   Notifier: notify().
struct EventWord {
  std::atomic<uint32_t> count;
  std::atomic<uint32_t> waiters;

  uint32_t prepare() {
    waiters.fetch_add(1, std::memory_order_seq_cst);
    return count.load(std::memory_order_seq_cst);
  }
  void sleep(uint32_t seen, std::chrono::nanoseconds timeout) { futex_wait(count, seen, timeout); }
  void finish() { waiters.fetch_sub(1, std::memory_order_relaxed); }
  // Call after publishing the state change the waiters look for.
  void notify() {
    count.fetch_add(1, std::memory_order_seq_cst);
    if (waiters.load(std::memory_order_seq_cst) != 0) futex_wake_all(count);
  }
};
static_assert(sizeof(EventWord) == 8);

}  // namespace shmrl::shm
