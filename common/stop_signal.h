#pragma once
// Stop signals as a flag a process's main loop polls: the handler only records the signal
// (async-signal-safe), the loop notices it and shuts down cleanly (flushes, final checkpoint,
// segment cleanup). Used by the launcher (SIGINT/SIGTERM/SIGHUP), actors and learners
// (SIGTERM/SIGINT). No SA_RESTART: a blocking sleep wakes up with EINTR and the loop sees the flag.
// Processes that wait for signals with sigtimedwait instead (replay) do not use this.
#include <atomic>
#include <initializer_list>

namespace shmrl {

// Clears any earlier request (a forked child inherits its parent's flag) and installs the handler
// on each of `signals`. Process-wide; call once from the main thread before starting threads.
void install_stop_handlers(std::initializer_list<int> signals);
// The first stop signal received since install_stop_handlers(), or 0. Any thread.
int stop_signal();
// How many stop signals arrived since install_stop_handlers(): a second one asks to force the stop
// (the launcher then SIGKILLs what is still running instead of waiting out its grace). Any thread.
int stop_signal_count();
// stop_signal() != 0, as a flag for code that polls an atomic<bool> (Actor). Any thread.
const std::atomic<bool>& stop_flag();
inline bool stop_requested() { return stop_flag().load(std::memory_order_relaxed); }

}  // namespace shmrl
