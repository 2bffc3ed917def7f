#include "replay/process.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <iostream>

#include "replay/service.h"

namespace shmrl::replay {

int run_replay_process(const RunContext& run, const ReplayOptions& opts, const TransitionSchema& schema,
                       std::chrono::milliseconds tick) {
  // Block the stop signals before any thread exists, so every thread inherits the mask and only
  // the sigtimedwait below ever takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  try {
    ReplayService service(run, opts, schema);
    service.start();
    service.publish_stats();
    std::cout << "replay: ready (run " << run.run_id << ", generation " << service.generation()
              << (service.restarted() ? ", re-attached to stored items" : "") << ", "
              << service.size() << " items)" << std::endl;
    const timespec ts{static_cast<time_t>(tick.count() / 1000), static_cast<long>(tick.count() % 1000) * 1000000};
    auto next_checkpoint = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(opts.checkpoint_period_s));
    for (;;) {
      const int sig = sigtimedwait(&stop_signals, nullptr, &ts);
      if (sig == SIGTERM || sig == SIGINT) {
        std::cerr << "replay: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopping\n";
        break;
      }
      if (!run.owner.alive()) {
        std::cerr << "replay: the run's owner (pid " << run.owner.pid << ") is gone, stopping\n";
        break;
      }
      service.publish_stats();
      if (opts.checkpoint_period_s > 0 && Clock::now() >= next_checkpoint) {
        service.checkpoint(service.default_checkpoint_path());
        next_checkpoint = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(opts.checkpoint_period_s));
      }
    }
    service.stop();
    if (opts.checkpoint_on_exit) service.checkpoint(service.default_checkpoint_path());
    service.publish_stats();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "replay: " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace shmrl::replay
