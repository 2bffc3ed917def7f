#include "launch/top.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "common/proc.h"
#include "common/shm/segment.h"
#include "common/stage_clock.h"
#include "common/stop_signal.h"
#include "launch/config.h"
#include "launch/verdict.h"
#include "replay/service.h"

namespace shmrl::launch {
namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string rate(double per_s) {
  if (per_s >= 1e6) return fmt("%.2fM/s", per_s / 1e6);
  if (per_s >= 1e3) return fmt("%.1fk/s", per_s / 1e3);
  return fmt("%.0f/s", per_s);
}

// "env 31 % | inference 40 % | ..." from one process's stage seconds at both ends.
std::string stage_line(const StatMap& a, const StatMap& b, std::span<const char* const> names,
                       const std::string& prefix, double dt) {
  std::string out;
  for (const char* n : names) {
    const std::string key = stage_stat_name(n, prefix);
    if (!a.count(key) || !b.count(key)) return "(no stage figures yet)";
    const double f = std::max(0.0, b.at(key) - a.at(key)) / dt;
    out += (out.empty() ? "" : " | ") + std::string(n) + " " + fmt("%.0f %%", 100 * f);
  }
  return out;
}

// "actor0     pid 1234    private   56.2 MB (anonymous   57.0 MB)" from the process's /proc entry.
std::string process_head(const std::string& name, const StatMap& m) {
  char buf[160];
  const double pid = stat_or(m, kPidStat, 0);
  const auto mem = pid > 0 ? memory_use(static_cast<pid_t>(pid)) : std::nullopt;
  if (mem) {
    std::snprintf(buf, sizeof buf, "%-10s pid %-7.0f private %6.1f MB (anonymous %6.1f MB)", name.c_str(), pid,
                  static_cast<double>(mem->private_bytes) / (1 << 20), static_cast<double>(mem->anonymous) / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%-10s pid %-7.0f (not running)", name.c_str(), pid);
  }
  return buf;
}

}  // namespace

std::string format_top(const TopLayout& l, const StatsSnapshot& before, const StatsSnapshot& now) {
  const double dt = std::max(1e-9, now.wall_s - before.wall_s);
  auto per_s = [&](const StatMap& a, const StatMap& b, const char* key) {
    return std::max(0.0, stat_or(b, key) - stat_or(a, key)) / dt;
  };
  std::string out = "shmrl top  run " + l.run_id + "  " + l.env_id + ", " + std::to_string(l.actors) + " actors x " +
                    std::to_string(l.envs_per_actor) + " envs, " + std::to_string(l.learners) + " learner(s)\n";
  const StatMap& rp0 = before.replay;
  const StatMap& rp1 = now.replay;
  out += process_head("replay", rp1) + "  inserts " + rate(per_s(rp0, rp1, "inserts")) + ", samples " +
         rate(per_s(rp0, rp1, "samples")) + ", size " + fmt("%.0f", stat_or(rp1, "size")) + "\n";
  out += "  writer     " +
         stage_line(rp0, rp1, stages::kReplayWriter, replay::kWriterStagePrefix, dt) + "\n";
  for (int r = 0; r < l.learners; ++r) {
    out += "  sampler" + std::to_string(r) + "   " +
           stage_line(rp0, rp1, stages::kReplaySampler, "sampler" + std::to_string(r) + "_", dt) + "\n";
  }
  double newest = 0;
  for (int r = 0; r < l.learners; ++r) {
    const StatMap &a = before.learners[r], &b = now.learners[r];
    newest = std::max(newest, stat_or(b, "weight_version"));
    out += process_head("learner" + std::to_string(r), b) + "  updates " + rate(per_s(a, b, "updates")) +
           ", weights v" + fmt("%.0f", stat_or(b, "weight_version")) + "\n";
    out += "  stages     " + stage_line(a, b, stages::kLearner, "", dt) + "\n";
  }
  double fill_sum = 0;
  for (int i = 0; i < l.actors; ++i) {
    const StatMap &a = before.actors[i], &b = now.actors[i];
    const double in_ring = stat_or(b, "records") - stat_or(rp1, "actor" + std::to_string(i) + "_inserts");
    const double fill = std::clamp(in_ring / static_cast<double>(l.ring_capacity), 0.0, 1.0);
    fill_sum += fill;
    const double version = stat_or(b, "weight_version");
    out += process_head("actor" + std::to_string(i), b) + "  steps " + rate(per_s(a, b, "env_steps")) +
           ", weights v" + fmt("%.0f", version) + " (lag " + fmt("%.0f", std::max(0.0, newest - version)) +
           "), ring " + fmt("%.0f %%", 100 * fill) + "\n";
    out += "  stages     " + stage_line(a, b, stages::kActor, "", dt) + "\n";
  }
  const BottleneckVerdict v = bottleneck(stage_fractions(stage_totals(before), stage_totals(now)),
                               l.actors > 0 ? fill_sum / l.actors : 0);
  out += "bottleneck: " + (v.bound.empty() ? std::string("(no figures yet)") : v.text()) + "\n";
  return out;
}

int run_top(const TopArgs& args) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::absolute(args.run_dir).lexically_normal();
  const fs::path config = dir / "config.toml";
  if (!fs::exists(config)) {
    std::cerr << "shmrl top: " << config.string() << " not found: give a run directory (runs/<run-id>)\n";
    return 1;
  }
  TopLayout l;
  try {
    const Config c = Config::load(config.string());
    l.env_id = c.get_string("env.id");
    l.actors = static_cast<int>(c.get_int("run.actors"));
    l.learners = static_cast<int>(c.get_int("run.learners"));
    l.envs_per_actor = static_cast<int>(c.get_int("actor.envs_per_actor"));
    l.ring_capacity = c.get_int("actor.ring_capacity");
  } catch (const std::exception& e) {
    std::cerr << "shmrl top: " << e.what() << "\n";
    return 1;
  }
  l.run_id = (dir.filename().empty() ? dir.parent_path() : dir).filename().string();
  const RunContext run{l.run_id, ProcessId{}, dir.string()};
  if (!shm::Segment::exists(l.run_id, seg::replay_stats())) {
    std::cerr << "shmrl top: run " << l.run_id << " is not running (no shared-memory stats segments)\n";
    return 1;
  }
  install_stop_handlers({SIGINT, SIGTERM});
  const auto t0 = Clock::now();
  auto snap = [&] {
    return read_snapshot(run, l.actors, l.learners, std::chrono::duration<double>(Clock::now() - t0).count());
  };
  const auto interval = std::chrono::duration<double>(args.interval_s);
  StatsSnapshot before = snap();
  const bool tty = isatty(STDOUT_FILENO) == 1 && !args.once;
  while (!stop_requested()) {
    std::this_thread::sleep_for(interval);
    if (stop_requested()) break;
    StatsSnapshot now = snap();
    if (!shm::Segment::exists(l.run_id, seg::replay_stats())) {
      std::cout << "run " << l.run_id << " has stopped\n";
      return 0;
    }
    std::cout << (tty ? "\033[H\033[2J" : "") << format_top(l, before, now) << std::flush;
    if (args.once) break;
    before = std::move(now);
  }
  return 0;
}

}  // namespace shmrl::launch
