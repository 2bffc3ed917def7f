#include "common/stop_signal.h"

#include <signal.h>

namespace shmrl {
namespace {
// Lock-free atomics: storing them from a signal handler is async-signal-safe.
std::atomic<int> g_signal{0};
std::atomic<int> g_count{0};
std::atomic<bool> g_stop{false};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int sig) {
  int expected = 0;
  g_signal.compare_exchange_strong(expected, sig);
  g_count.fetch_add(1, std::memory_order_relaxed);
  g_stop.store(true, std::memory_order_relaxed);
}
}  // namespace

void install_stop_handlers(std::initializer_list<int> signals) {
  g_signal.store(0);
  g_count.store(0);
  g_stop.store(false);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking sleep wakes up and the loop sees the flag
  for (int sig : signals) sigaction(sig, &sa, nullptr);
}

int stop_signal() { return g_signal.load(std::memory_order_relaxed); }

int stop_signal_count() { return g_count.load(std::memory_order_relaxed); }

const std::atomic<bool>& stop_flag() { return g_stop; }

}  // namespace shmrl
