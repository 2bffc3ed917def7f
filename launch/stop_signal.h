#pragma once
// SIGINT / SIGTERM / SIGHUP to the launcher request a clean stop: the handler only records the
// signal; the main loop polls it. SIGPIPE is ignored (a closed stderr pipe must not kill the
// launcher mid-shutdown). Children reset all of this before exec (child.cpp).
namespace shmrl::launch {

// Installs the handlers (process-wide; call once from the main thread before starting children).
void install_stop_handlers();
// The first stop signal received, or 0. Async-signal-safe to set, any thread to read.
int stop_signal();

}  // namespace shmrl::launch
