#include "launch/stress_signals.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

#include "common/shm/segment.h"
#include "common/stop_signal.h"
#include "launch/child.h"

namespace shmrl::launch {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Waits (polling every 10 ms) until pred() holds, the child has ended or `limit` passed; pred().
template <class Pred>
bool await(Child& child, double limit_s, Pred pred) {
  const auto t0 = Clock::now();
  while (!pred()) {
    if (child.poll() || since(t0) > limit_s || stop_requested()) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// The part of a log written since byte `from`.
std::string log_since(const fs::path& p, std::size_t from) {
  const std::string all = slurp(p.string());
  return from < all.size() ? all.substr(from) : std::string();
}

}  // namespace

Scenario launcher_signals_scenario(int sessions, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Phase> phases = {Phase::Training, Phase::Startup, Phase::Evaluation, Phase::Checkpointing};
  std::vector<int> sigs = {SIGINT, SIGTERM, SIGKILL};
  std::shuffle(phases.begin() + 1, phases.end(), rng);  // training first: later resumes have a checkpoint
  std::shuffle(sigs.begin(), sigs.end(), rng);
  Scenario s{"launcher-signals", "", {}, {}, 0, false};
  s.what = "SIGINT/SIGTERM/SIGKILL the launcher in " + std::to_string(sessions) +
           " sessions at random phases, --resume after each";
  for (int i = 0; i < sessions; ++i) {
    Fault f;
    f.kind = FaultKind::SignalLauncher;
    f.role = Role::Replay;  // unused: the launcher
    f.phase = phases[static_cast<std::size_t>(i) % phases.size()];
    f.signal = i < 3 ? sigs[static_cast<std::size_t>(i)] : sigs[rng() % sigs.size()];
    // Startup: 0.05-0.4 s after the launcher starts; the others 0.3-1.5 s into their phase.
    f.at_s = f.phase == Phase::Startup ? std::uniform_real_distribution<double>(0.05, 0.4)(rng)
                                       : std::uniform_real_distribution<double>(0.3, 1.5)(rng);
    s.faults.push_back(f);
  }
  return s;
}

Outcome run_launcher_signals(const StressArgs& args, const Scenario& sc, const std::string& out_dir,
                             const std::string& stamp) {
  Outcome o;
  o.name = sc.name;
  o.what = sc.what;
  o.run_id = "stress-" + stamp + "-" + sc.name;
  const fs::path out(out_dir), dir = out / "runs" / o.run_id;
  const fs::path launcher_log = dir / "logs" / "launcher.log", learner_log = dir / "logs" / "learner0.log";
  std::vector<std::string> tail = {"--time-limit", std::to_string(args.duration_s), "--target-return", "1e30",
                                   "--set", "learner.checkpoint_period_s=0.2"};
  if (!args.config.empty()) tail.insert(tail.end(), {"--config", args.config});
  for (const auto& s : args.sets) tail.insert(tail.end(), {"--set", s});
  double worst_exit = 0;
  std::size_t segments_after_kill = 0;
  int resumed = 0, cleaned = 0, cleanups_needed = 0;
  std::size_t left_by_kill = 0;
  bool all_exited = true, last_resumed = false;
  for (std::size_t i = 0; i <= sc.faults.size() && !stop_requested(); ++i) {
    std::vector<std::string> argv = i == 0 ? std::vector<std::string>{"train", "--run-dir", (out / "runs").string(),
                                                                      "--run-id", o.run_id, "--seed",
                                                                      std::to_string(args.seed)}
                                           : std::vector<std::string>{"train", "--resume", dir.string()};
    argv.insert(argv.end(), tail.begin(), tail.end());
    const std::size_t log_from = slurp(launcher_log.string()).size(), learner_from = slurp(learner_log.string()).size();
    const std::string session = o.run_id + ".session" + std::to_string(i) + ".out";
    Child child = Child::spawn(self_exe(), argv, (out / session).string());
    auto said = [&](const std::string& what) { return log_since(launcher_log, log_from).find(what) != std::string::npos; };
    const bool cleanup_due = left_by_kill > 0;  // the SIGKILLed launcher before it left segments
    left_by_kill = 0;
    if (i == sc.faults.size()) {  // the last session runs to its time limit
      if (!child.wait_until(Clock::now() + std::chrono::seconds(static_cast<int64_t>(args.duration_s) + 120))) {
        std::vector<Child*> c = {&child};
        stop_children(c, std::chrono::seconds(30));
      }
      const int status = child.poll().value_or(0);
      o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    } else {
      const Fault& f = sc.faults[i];
      const auto t0 = Clock::now();
      bool reached = true;
      if (f.phase == Phase::Evaluation) reached = await(child, 60, [&] { return said("eval: greedy mean"); });
      else if (f.phase != Phase::Startup) reached = await(child, 60, [&] { return said("processes ready"); });
      const double phase_at = since(t0);
      await(child, f.at_s, [] { return false; });
      const bool was_ready = said("processes ready");
      ::kill(child.pid(), f.signal);
      const auto sig_at = Clock::now();
      bool gone = false;
      while (!gone && since(sig_at) < 3 * kSignalExitLimitS) {
        gone = child.poll() && processes_of(o.run_id) == 0;
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      const double exit_s = since(sig_at);
      if (!gone) {
        std::vector<Child*> c = {&child};
        stop_children(c, std::chrono::seconds(5));
        all_exited = false;
      }
      worst_exit = std::max(worst_exit, exit_s);
      const std::size_t left = shm::list_segments(o.run_id).size();
      if (f.signal == SIGKILL) {
        segments_after_kill += left;
        cleanups_needed += left > 0;
        left_by_kill = left;
      } else {
        o.leaked_segments += static_cast<int>(left);
      }
      char line[256];
      std::snprintf(line, sizeof line, "session %zu: %s (%s%s): every process gone in %.2f s, %zu segments left", i,
                    f.describe().c_str(), reached ? "" : "phase not reached, ",
                    f.phase == Phase::Startup ? (was_ready ? "all were ready already" : "not all ready yet")
                                              : (std::to_string(phase_at).substr(0, 4) + " s to the phase").c_str(),
                    exit_s, left);
      o.injected.push_back(line);
      std::cout << "  " << line << std::endl;
    }
    cleaned += cleanup_due && said("shared-memory segments of dead runs");  // said at its start
    last_resumed = i > 0 && log_since(learner_log, learner_from).find(": resumed ") != std::string::npos;
    resumed += last_resumed;
  }
  read_summary(o, (dir / "summary.json").string());
  o.leaked_segments += static_cast<int>(shm::list_segments(o.run_id).size());
  o.processes_left = processes_of(o.run_id);
  const json& t = o.summary.is_object() ? o.summary["transitions"] : json();
  o.ok = all_exited && worst_exit <= kSignalExitLimitS && o.exit_code == 0 && o.leaked_segments == 0 &&
         o.processes_left == 0 && last_resumed && t.is_object() && t["lost"] == 0;
  o.note = "longest signal-to-gone " + std::to_string(worst_exit).substr(0, 5) + " s; " +
                       std::to_string(segments_after_kill) + " segments left by SIGKILLed launchers (the next start said it removed dead runs' segments " +
                       std::to_string(cleaned) + " of " + std::to_string(cleanups_needed) + " times); " + std::to_string(resumed) +
                       " sessions resumed from a learner checkpoint";
  std::cout << "  " << o.note << std::endl;
  return o;
}

}  // namespace shmrl::launch
