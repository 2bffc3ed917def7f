#include "launch/stress.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "common/run.h"
#include "common/shm/segment.h"
#include "common/stats.h"
#include "common/stop_signal.h"
#include "launch/child.h"
#include "launch/config.h"
#include "launch/stress_checkpoint.h"
#include "launch/stress_faults.h"
#include "launch/stress_outcome.h"
#include "launch/stress_shm.h"
#include "launch/stress_signals.h"
#include "launch/stress_soak.h"
#include "launch/train_options.h"

namespace shmrl::launch {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;
constexpr double kNaN = kStressNaN;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string utc_stamp() {
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::gmtime(&now));
  return buf;
}

// Member name -> pid, from the stats blocks (each names its writer's pid), and the launcher's own.
std::vector<std::pair<std::string, pid_t>> run_pids(const RunContext& run, pid_t launcher, int actors, int learners) {
  std::vector<std::pair<std::string, pid_t>> out = {{"launcher", launcher}};
  auto add = [&](const std::string& name, const std::string& seg_name) {
    const auto s = read_stats(run, seg_name);
    if (auto it = s.find(kPidStat); it != s.end()) out.emplace_back(name, static_cast<pid_t>(it->second));
  };
  add("replay", seg::replay_stats());
  for (int r = 0; r < learners; ++r) add("learner" + std::to_string(r), seg::learner_stats(r));
  for (int a = 0; a < actors; ++a) add("actor" + std::to_string(a), seg::actor_stats(a));
  return out;
}


// The longest time from a fault to a metrics row at >= kRecovered of `rate` (NaN without faults;
// infinity when throughput never came back).
double recovery_time(const fs::path& metrics, const std::vector<double>& faults, double rate) {
  if (faults.empty() || !(rate > 0)) return kNaN;
  std::vector<std::pair<double, double>> rows;  // (wall_s, env_steps_per_s)
  std::ifstream in(metrics);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
    if (c3 == std::string::npos) continue;
    rows.emplace_back(std::stod(line.substr(0, c1)), std::stod(line.substr(c2 + 1, c3 - c2 - 1)));
  }
  double worst = 0;
  for (double f : faults) {
    double back = std::numeric_limits<double>::infinity();
    for (const auto& [t, r] : rows)
      if (t > f && r >= kRecovered * rate) {
        back = t - f;
        break;
      }
    worst = std::max(worst, back);
  }
  return worst;
}

Outcome run_scenario(const StressArgs& args, const Scenario& sc, const fs::path& out, const std::string& stamp,
                     int actors, int learners_default, double target, double baseline_rate) {
  Outcome o;
  o.name = sc.name;
  o.what = sc.what;
  o.run_id = "stress-" + stamp + "-" + sc.name;
  const double duration = sc.duration_s > 0 ? sc.duration_s : args.duration_s;
  std::vector<std::string> argv = {"train", "--run-dir", (out / "runs").string(), "--run-id", o.run_id,
                                   "--time-limit", std::to_string(duration), "--target-return", "1e30",
                                   "--seed", std::to_string(args.seed)};
  if (!args.config.empty()) argv.insert(argv.end(), {"--config", args.config});
  for (const auto& s : args.sets) argv.insert(argv.end(), {"--set", s});
  argv.insert(argv.end(), sc.train_args.begin(), sc.train_args.end());
  int learners = learners_default;
  for (std::size_t i = 0; i + 1 < sc.train_args.size(); ++i)
    if (sc.train_args[i] == "--learners") learners = std::stoi(sc.train_args[i + 1]);
  std::size_t next = 0;
  for (; next < sc.faults.size() && sc.faults[next].at_s < 0; ++next) {
    o.injected.push_back(inject(sc.faults[next], o.run_id, {}, o.corrupted));
    std::cout << "  " << o.injected.back() << std::endl;
  }
  const auto started = Clock::now();
  Child child = Child::spawn(self_exe(), argv, (out / (o.run_id + ".out")).string());
  const fs::path dir = out / "runs" / o.run_id;
  const RunContext run{o.run_id, ProcessId::self(), dir.string()};
  std::optional<Clock::time_point> ready;
  ResourceSampler resources;
  double sampled_at = -1;
  std::optional<CheckpointStriker> striker;
  bool stopped_by_us = false;  // checkpoint-kill: SIGINT once its strikes are done
  const auto deadline = started + std::chrono::seconds(static_cast<int64_t>(duration) + 120);
  while (!child.poll() && !stop_requested() && Clock::now() < deadline) {
    if (!ready && slurp(dir / "logs" / "launcher.log").find("processes ready") != std::string::npos) ready = Clock::now();
    if (ready && sc.checkpoint_strikes > 0) {
      if (!striker) striker.emplace((dir / "checkpoints").string(), sc.checkpoint_strikes, args.seed);
      if (const std::string did = striker->poll(child.pid(), 20); !did.empty()) {
        std::cout << "  " << did << std::endl;
        o.injected.push_back(did);
        o.fault_wall_s.push_back(since(started));
      }
      // Stopped once the last kill's restart has said what it loaded.
      if (striker->done() && !stopped_by_us &&
          count(slurp(dir / "logs" / "learner0.log"), "learner 0: restarted:") >= o.injected.size()) {
        kill(child.pid(), SIGINT);
        stopped_by_us = true;
      }
      continue;
    }
    while (ready && next < sc.faults.size() && since(*ready) >= sc.faults[next].at_s) {
      const auto pids = run_pids(run, child.pid(), actors, learners);
      const std::string did = inject(sc.faults[next++], o.run_id, pids, o.corrupted);
      if (did.empty()) {  // its target was down (restarting): no fault
        std::cout << "  " << sc.faults[next - 1].describe() << ": skipped, the target is not running" << std::endl;
        continue;
      }
      std::cout << "  " << did << std::endl;
      o.injected.push_back(did);
      o.fault_wall_s.push_back(since(started));
    }
    if (sc.sample_resources && ready && since(*ready) >= sampled_at + 1) {
      sampled_at = since(*ready);
      resources.sample(run_pids(run, child.pid(), actors, learners), sampled_at);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (sc.sample_resources) o.resources = resources.drift(0.25 * duration, duration - 2);
  if (child.running()) {
    std::vector<Child*> c = {&child};
    stop_children(c, std::chrono::seconds(30));
  }
  const int status = child.poll().value_or(0);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (sc.shm_mib > 0) unfill_dev_shm();
  o.leaked_segments = static_cast<int>(shm::list_segments(o.run_id).size());
  o.processes_left = processes_of(o.run_id);
  read_summary(o, (dir / "summary.json").string());
  if (o.summary.is_object()) {
    o.retained = baseline_rate > 0 ? o.steps_per_s / baseline_rate : kNaN;
    for (const auto& e : o.summary["evaluations"]) o.reached_target = o.reached_target || e.value("mean", -1e300) >= target;
  }
  o.recovery_s = recovery_time(dir / "metrics.csv", o.fault_wall_s, baseline_rate > 0 ? baseline_rate : o.steps_per_s);
  const std::string learner_log = slurp(dir / "logs" / "learner0.log");
  o.checkpoint_restarts = static_cast<int>(count(learner_log, "learner 0: restarted:"));
  o.checkpoint_unusable = static_cast<int>(count(learner_log, "no usable checkpoint"));
  if (striker) o.checkpoint_strikes = striker->verify(learner_log);
  const json& t = o.summary.is_object() ? o.summary["transitions"] : json();
  if (sc.must_fail_start) {
    // Refused with the reason (its summary's, or the launcher's error when it refused before
    // creating the run), nothing left.
    const std::string why = o.summary.is_object() ? o.summary.value("stop_reason", "")
                                                  : slurp(out / (o.run_id + ".out"));
    o.ok = o.exit_code != 0 && why.find("/dev/shm") != std::string::npos && o.leaked_segments == 0 &&
           o.processes_left == 0;
    return o;
  }
  o.ok = o.exit_code == (stopped_by_us ? 128 + SIGINT : 0) && t.is_object() && t["lost"] == 0 && t["skipped"] == 0 && o.leaked_segments == 0 &&
         o.processes_left == 0 && t["dropped"].get<uint64_t>() == o.corrupted.ring &&
         t.value("corrupt_stored", uint64_t{0}) == o.corrupted.stored && o.checkpoint_unusable == 0 &&
         (o.resources.is_null() || o.resources.value("within_target", false)) &&
         (o.checkpoint_strikes.is_null() || o.checkpoint_strikes.value("ok", false));
  return o;
}


// A scenario with a private /dev/shm: run_scenario in a fork that has its own mount namespace
// (stress_shm.h); its figures come back as JSON, its output is printed once it has ended.
Outcome run_in_private_shm(const StressArgs& args, const Scenario& sc, const fs::path& out, const std::string& stamp,
                           int actors, int learners, double target, double baseline_rate) {
  const fs::path result = out / (sc.name + ".outcome.json"), log = out / (sc.name + ".stress.log");
  Outcome skipped;
  skipped.name = sc.name;
  skipped.what = sc.what;
  skipped.ok = true;
  if (!single_threaded()) {
    skipped.skipped = "shmrl stress is not single-threaded here, so it cannot fork the scenario";
    return skipped;
  }
  Child c = Child::fork_run("shmrl stress " + sc.name, log.string(), [&] {
    std::string why;
    Outcome o;
    if (private_dev_shm(sc.shm_mib, why)) {
      o = run_scenario(args, sc, out, stamp, actors, learners, target, baseline_rate);
    } else {
      o = skipped;
      o.skipped = why;
    }
    json j = to_json(o);
    std::ofstream(result) << j.dump(2) << "\n";
    return 0;
  });
  c.wait_until(Clock::now() + std::chrono::seconds(static_cast<int64_t>(args.duration_s) + 180));
  if (c.running()) {
    std::vector<Child*> cs = {&c};
    stop_children(cs, std::chrono::seconds(30));
  }
  std::cout << slurp(log) << std::flush;
  std::ifstream in(result);
  const json j = in ? json::parse(in, nullptr, false) : json();
  if (j.is_discarded() || !j.is_object()) {
    Outcome failed = skipped;
    failed.skipped.clear();
    failed.ok = false;
    failed.injected = {"the scenario's fork wrote no figures: see " + log.string()};
    return failed;
  }
  return outcome_from_json(j);
}


}  // namespace

int run_stress(const StressArgs& args) {
  std::vector<std::string> names = args.scenarios;
  Config cfg;
  std::vector<Scenario> scenarios;
  try {
    TrainArgs ta;
    ta.config_path = args.config;
    ta.sets = args.sets;
    cfg = build_config(ta);
    if (!(args.duration_s >= 5)) throw std::invalid_argument("--duration " + std::to_string(args.duration_s) + ": must be >= 5 s");
    for (std::size_t i = 0; i < names.size(); ++i)
      scenarios.push_back(names[i] == "checkpoint-kill"
                              ? checkpoint_kill_scenario(args.checkpoint_strikes, args.duration_s)
                              : make_scenario(names[i], args.duration_s, static_cast<int>(cfg.get_int("run.actors")),
                                              args.seed + 1000 * i));
    if (args.soak_s > 0) scenarios.push_back(soak_scenario(args.soak_s, static_cast<int>(cfg.get_int("run.actors")), args.seed));
  } catch (const std::exception& e) {
    std::cerr << "shmrl stress: " << e.what() << "\n";
    return 2;
  }
  const std::string stamp = utc_stamp();
  const fs::path out = args.out_dir.empty() ? fs::path("runs/stress") / stamp : fs::path(args.out_dir);
  fs::create_directories(out / "runs");
  install_stop_handlers({SIGINT, SIGTERM});
  const int actors = static_cast<int>(cfg.get_int("run.actors"));
  const int learners = static_cast<int>(cfg.get_int("run.learners"));
  const double target = cfg.get_float("run.target_return");
  std::cout << "stress: " << scenarios.size() << " scenario(s) of " << cell(args.duration_s, 0) << " s each on "
            << cfg.get_string("env.id") << ", seed " << args.seed << ", into " << out.string() << "\n";
  for (const auto& sc : scenarios) {
    std::cout << sc.name << ": " << sc.what << "\n";
    for (const auto& f : sc.faults) std::cout << "  " << f.describe() << "\n";
  }
  std::cout << std::flush;
  json doc = {{"seed", args.seed}, {"duration_s", args.duration_s}, {"env", cfg.get_string("env.id")},
              {"config", args.config.empty() ? default_config_path() : args.config}, {"sets", args.sets}};
  double baseline_rate = kNaN;
  if (args.baseline) {
    std::cout << "baseline (no faults)" << std::endl;
    const Outcome b = run_scenario(args, Scenario{"baseline", "no faults", {}, {}, 0, false}, out, stamp, actors, learners, target, kNaN);
    baseline_rate = b.steps_per_s;
    doc["baseline"] = to_json(b);
  }
  std::vector<Outcome> all;
  bool ok = true;
  for (const auto& sc : scenarios) {
    if (stop_requested()) break;
    std::cout << sc.name << std::endl;
    if (sc.shm_mib > 0) all.push_back(run_in_private_shm(args, sc, out, stamp, actors, learners, target, baseline_rate));
    else if (!sc.faults.empty() && sc.faults[0].kind == FaultKind::SignalLauncher)
      all.push_back(run_launcher_signals(args, sc, out.string(), stamp));
    else all.push_back(run_scenario(args, sc, out, stamp, actors, learners, target, baseline_rate));
    ok = ok && all.back().ok;
    doc["scenarios"].push_back(to_json(all.back()));
    std::ofstream(out / "stress.json") << doc.dump(2) << "\n";
  }
  if (!args.baseline || !std::isnan(baseline_rate))
    std::cout << "baseline: " << (std::isnan(baseline_rate) ? std::string("not run") : cell(baseline_rate, 0) + " env steps/s") << "\n";
  print_table(all);
  std::ofstream(out / "stress.json") << doc.dump(2) << "\n";
  std::cout << "stress done: " << (out / "stress.json").string() << std::endl;
  if (stop_requested()) return 128 + stop_signal();
  return ok ? 0 : 1;
}

}  // namespace shmrl::launch
