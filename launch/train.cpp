#include "launch/train.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "actors/envs/gym_spaces.h"
#include "common/net.h"
#include "common/shm/segment.h"
#include "common/stats.h"
#include "common/stop_signal.h"
#include "launch/accounting.h"
#include "launch/child.h"
#include "launch/console.h"
#include "launch/evaluation.h"
#include "launch/metrics.h"
#include "launch/resources.h"
#include "launch/resume.h"
#include "launch/run_dir.h"
#include "launch/solve.h"
#include "launch/stall.h"
#include "launch/role_entry.h"
#include "launch/summary.h"
#include "launch/supervisor.h"
#include "launch/tfevents.h"
#include "launch/validate_components.h"

namespace shmrl::launch {
namespace {
using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class Outcome { Solved, TimeLimit, MaxSteps, Signal, Failure };

// Seconds since this process was exec'ed (10 ms resolution: /proc's clock ticks), so start-up and
// wall times include loading the executable's libraries; 0 if /proc cannot tell.
double process_age_s() {
  std::ifstream stat("/proc/self/stat"), up("/proc/uptime");
  std::string line;
  double uptime = 0;
  if (!std::getline(stat, line) || !(up >> uptime)) return 0;
  std::istringstream rest(line.substr(line.rfind(')') + 2));  // fields from 3 (state) on
  std::string field;
  for (int i = 3; i < 22 && rest >> field;) ++i;  // starttime is field 22
  unsigned long long start_ticks = 0;
  if (!(rest >> start_ticks)) return 0;
  return std::max(0.0, uptime - static_cast<double>(start_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK)));
}

// The role executable `name` next to `self` (it links only what its role needs, so it starts faster),
// else "" (the role then runs as a subcommand of self).
std::string role_exe(const std::string& self, const std::string& name) {
  auto p = std::filesystem::path(self).parent_path() / name;
  return access(p.c_str(), X_OK) == 0 ? p.string() : "";
}

std::string fmt(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Everything the supervision loop shares with the stop sequence.
struct RunState {
  explicit RunState(const Config& cfg)
      : solve(cfg.get_float("run.target_return"), static_cast<int>(cfg.get_int("run.confirm_evals"))) {}
  Outcome outcome = Outcome::Failure;
  std::string reason;
  SolveTracker solve;
  double solved_at_s = kNaN;
  MetricsRow last;
  // Totals of the earlier sessions of a resumed run (from its summary.json): rows continue them.
  double earlier_wall_s = 0, earlier_env_steps = 0;
  bool started = false;  // every process became ready
  StartupTimes startup;
  BottleneckVerdict verdict;          // the bottleneck over the whole run (summary.json)
  StageFractions stages;    // what it judged
  std::map<std::string, RoleMemory> memory;  // per role, the most one process held
};

// The wall time and env steps an earlier session of a resumed run recorded (0 if none).
void read_earlier_session(const std::string& run_dir, RunState& st) {
  std::ifstream in(run_dir + "/summary.json");
  if (!in) return;
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return;
  st.earlier_wall_s = j.value("wall_seconds", 0.0);
  st.earlier_env_steps = j.value("env_steps", 0.0);
}

// SIGTERM to every child, SIGKILL after run.stop_grace_s, or at once on a further stop signal
// (a second Ctrl-C forces the stop).
void stop_children_of(Supervisor& sup, const Config& cfg, Console& console) {
  const double grace = cfg.get_float("run.stop_grace_s");
  const int signals_before = stop_signal_count();
  auto forced = [signals_before] { return stop_signal_count() > signals_before; };
  const auto killed = sup.stop_all(std::chrono::milliseconds(static_cast<int64_t>(1000 * grace)), forced);
  const bool was_forced = forced();
  for (const auto& name : killed) {
    console.message(name + (was_forced ? " SIGKILLed: the stop was forced by a second signal"
                                       : " did not stop within run.stop_grace_s = " + fmt(grace) +
                                             " s of SIGTERM: SIGKILLed"));
  }
}

// The run's configuration, refused (ConfigError) before anything starts when a process would reject
// it, a resumed checkpoint does not fit it, or the machine cannot hold the run. `notes` gets what
// the console should say (resume decisions, warnings); `schema` the run's transition schema.
Config resolve_config(const TrainArgs& args, std::vector<std::string>& notes,
                      std::optional<TransitionSchema>& schema) {
  Config c = build_config(args);
  if (c.get_int("run.learners") > 1 && c.get_int("learner.master_port") == 0) {
    c.set("learner.master_port", std::to_string(pick_free_port()));
  }
  schema = validate_components(c);
  if (!args.resume.empty()) notes = prepare_resume(c, args.resume);
  check_memory(c, *schema);
  if (auto w = cores_warning(c, std::thread::hardware_concurrency())) notes.push_back("warning: " + *w);
  return c;
}

RestartCounts restart_counts(const Supervisor& sup) {
  return {sup.restarts(Role::Actor), sup.restarts(Role::Replay), sup.restarts(Role::Learner)};
}

RestartPolicy restart_policy(const Config& cfg) {
  return {static_cast<int>(cfg.get_int("run.restarts.replay")), static_cast<int>(cfg.get_int("run.restarts.learner")),
          static_cast<int>(cfg.get_int("run.restarts.actor")), cfg.get_float("run.restarts.backoff_s")};
}

// Feeds every running child's stats to the watch; reports new stalls, kills those past
// run.stall.kill_s (poll() then restarts them). Returns the current stalls.
std::vector<Stall> watch_stalls(const Config& cfg, Supervisor& sup, const StatsSnapshot& snap, double now,
                                StallWatch& watch, Console& console) {
  for (const Member& m : sup.members()) {
    if (!m.child.running()) {
      watch.forget(m.name);
      continue;
    }
    const StatMap& stats = m.role == Role::Replay    ? snap.replay
                           : m.role == Role::Learner ? snap.learners.at(m.index)
                                                     : snap.actors.at(m.index);
    watch.observe(m.name, stats, now);
  }
  auto stalled = watch.stalled(now);
  for (const Stall& s : stalled) {
    if (s.warn)
      console.message(s.name + " has made no progress for " + fmt(s.for_s) + " s: alive, but its stats have not "
                      "changed (run.stall.warn_s = " + fmt(cfg.get_float("run.stall.warn_s")) + ")");
    if (s.kill) {
      console.message(s.name + " stalled for " + fmt(s.for_s) + " s (run.stall.kill_s = " +
                      fmt(cfg.get_float("run.stall.kill_s")) + "): SIGKILL, to restart it");
      sup.kill(s.name);
    }
  }
  return stalled;
}

// Supervises until a stop condition; fills state. Start-up included.
void supervise(const Config& cfg, const RunContext& run, Supervisor& sup, Console& console,
               const std::function<double()>& elapsed, RunState& st) {
  const int actors = static_cast<int>(cfg.get_int("run.actors"));
  const int learners = static_cast<int>(cfg.get_int("run.learners"));
  auto ready = [&](const std::string& seg) {
    auto m = read_stats(run, seg);
    return !m.empty() && (!m.count("ready") || m["ready"] > 0);
  };
  auto stopping = [] { return stop_signal() != 0; };
  auto timeout = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(cfg.get_float("run.ready_timeout_s")));
  // Actors create their rings and learners wait for the replay service's slots: all start at once.
  st.startup.spawn_s = elapsed();
  const auto spawned_at = Clock::now();
  sup.start_all(
      [&](const Member& m) {
        switch (m.role) {
          case Role::Replay:
            return ready(seg::replay_stats());
          case Role::Learner:
            return ready(seg::learner_stats(m.index));
          case Role::Actor:
            return ready(seg::actor_stats(m.index));
        }
        return false;
      },
      Clock::now() + timeout, stopping);
  st.started = true;
  for (const Member& m : sup.members()) {
    const double s = st.startup.spawn_s + std::chrono::duration<double>(m.ready_at - spawned_at).count();
    double& role = m.role == Role::Replay ? st.startup.replay_ready_s
                   : m.role == Role::Learner ? st.startup.learners_ready_s
                                             : st.startup.actors_ready_s;
    role = std::isnan(role) ? s : std::max(role, s);
  }
  st.startup.all_ready_s = elapsed();
  console.message("all " + std::to_string(sup.members().size()) + " processes ready " +
                  fmt(st.startup.all_ready_s, 2) + " s after shmrl train started (" + st.startup.describe() + ")");

  const double time_limit = cfg.get_float("run.time_limit_s");
  const double max_steps = static_cast<double>(cfg.get_int("run.max_env_steps"));
  MetricsTracker tracker(cfg.get_int("actor.ring_capacity"), st.earlier_env_steps);
  CsvMetricsWriter csv(run.run_dir + "/metrics.csv");
  TfEventsWriter tb(run.run_dir);
  PeriodicEvaluator evaluator(cfg, run);
  StallWatch stalls({cfg.get_float("run.stall.warn_s"), cfg.get_float("run.stall.kill_s")});
  // gym: envs step only through the actors' Python bridge: the launcher (which forks) embeds no
  // interpreter, so it cannot evaluate them; such runs stop on time or env steps.
  const bool evaluates = !envs::is_gym_id(cfg.get_string("env.id"));
  if (!evaluates)
    console.message("no greedy evaluation for " + cfg.get_string("env.id") +
                    " (gym: envs step only in actors): the run stops on run.time_limit_s or run.max_env_steps");
  std::string last_eval_error;  // an evaluation failure is retried next period, reported once
  double next_row = 0, next_verdict = 0;
  std::string said_verdict;
  while (true) {
    if (int sig = stop_signal()) {
      st.outcome = Outcome::Signal;
      st.reason = std::string("stopped by SIG") + sigabbrev_np(sig);
      break;
    }
    if (auto fatal = sup.poll()) {
      st.outcome = Outcome::Failure;
      st.reason = *fatal;
      break;
    }
    if (!sup.take_restarts().empty()) next_row = 0;  // every restart gets its metrics row now
    const double now = elapsed();
    try {
      if (auto r = evaluator.poll()) {
        console.message(std::string(r->confirmation ? "confirming eval" : "eval") + ": greedy mean " +
                        fmt(r->mean) + " +- " + fmt(r->std) + " (min " + fmt(r->min) + ", max " + fmt(r->max) +
                        ", " + std::to_string(r->episodes) + " episodes, weights v" +
                        std::to_string(r->weight_version) + ") at " + fmt(now) + " s");
        const auto verdict = st.solve.add(*r);
        if (verdict == SolveTracker::Verdict::Confirm) evaluator.confirm(*r, now, st.last.env_steps);
        if (verdict == SolveTracker::Verdict::Solved) {
          st.outcome = Outcome::Solved;
          st.solved_at_s = now;
          const int confirms = static_cast<int>(cfg.get_int("run.confirm_evals"));
          st.reason = "solved: greedy mean " + fmt(st.solve.solving()->mean) + " >= run.target_return " +
                      fmt(cfg.get_float("run.target_return")) + " (weights v" +
                      std::to_string(st.solve.solving()->weight_version) + ", confirmed by " +
                      std::to_string(confirms) + " more evaluation(s) on fresh seeds)";
          break;
        }
      }
    } catch (const std::exception& e) {
      if (e.what() != last_eval_error) console.message(std::string("evaluation failed: ") + e.what());
      last_eval_error = e.what();
    }
    if (now >= next_row) {
      next_row = std::max(next_row + 1.0, now + 0.5);
      const StatsSnapshot snap = read_snapshot(run, actors, learners, st.earlier_wall_s + now);
      st.last = tracker.update(snap, st.solve.last_mean(), restart_counts(sup));
      csv.write(st.last);
      tb.add_scalars(static_cast<int64_t>(st.last.env_steps), tensorboard_scalars(st.last));
      tb.flush();
      console.progress(format_progress(st.last) + stall_note(watch_stalls(cfg, sup, snap, now, stalls, console)));
      // The full verdict (fractions, knob) when it changes; the progress line shows its name.
      if (!st.last.verdict.bound.empty() && st.last.verdict.bound != said_verdict && now >= next_verdict) {
        console.message("bottleneck: " + st.last.verdict.text());
        said_verdict = st.last.verdict.bound;
        next_verdict = now + kVerdictWindowS;
      }
    }
    if (time_limit > 0 && now >= time_limit) {
      st.outcome = Outcome::TimeLimit;
      st.reason = "time limit reached (run.time_limit_s = " + fmt(time_limit) + ")";
      break;
    }
    if (max_steps > 0 && st.last.env_steps >= max_steps) {
      st.outcome = Outcome::MaxSteps;
      st.reason = "env step limit reached (run.max_env_steps = " + fmt(max_steps, 0) + ")";
      break;
    }
    if (evaluates && st.last.weight_version > 0) evaluator.maybe_start(now, st.last.env_steps);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // An evaluation in flight is cancelled, not awaited: whatever it was doing, the stop is prompt.
  evaluator.cancel();
  console.message(st.reason + (st.outcome == Outcome::Signal ? "; stopping (a second signal forces it)" : ""));
  stop_children_of(sup, cfg, console);
  try {
    if (auto r = evaluator.wait()) st.solve.add(*r, /*after_stop=*/true);
  } catch (const std::exception&) {
  }
  st.last = tracker.update(read_snapshot(run, actors, learners, st.earlier_wall_s + elapsed()),
                           st.solve.last_mean(), restart_counts(sup));
  csv.write(st.last);
  tb.add_scalars(static_cast<int64_t>(st.last.env_steps), tensorboard_scalars(st.last));
  tb.flush();
  st.verdict = tracker.run_verdict();
  st.stages = tracker.run_fractions();
  st.memory = tracker.peak_memory();
  if (!st.verdict.bound.empty()) console.message("bottleneck over the run: " + st.verdict.text());
}
}  // namespace

int run_train(const TrainArgs& args) {
  // Times count from the exec of `shmrl train`, library loading included.
  const auto t0 = Clock::now() - std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(process_age_s()));
  auto elapsed = [t0] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  const double main_s = elapsed();
  install_stop_handlers({SIGINT, SIGTERM, SIGHUP});
  signal(SIGPIPE, SIG_IGN);  // a closed stderr pipe must not kill the launcher mid-shutdown
  Config cfg;
  std::optional<TransitionSchema> schema;
  RunDir rd;
  std::vector<std::string> stale, notes;
  try {
    cfg = resolve_config(args, notes, schema);
    stale = shm::remove_stale_segments();
    rd = prepare_run_dir(cfg, args.run_id, args.resume);
  } catch (const ConfigError& e) {
    std::cerr << "shmrl train: configuration error:\n  " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "shmrl train: " << e.what() << "\n";
    return 1;
  }
  Console console(rd.logs + "/launcher.log", isatty(STDERR_FILENO) == 1);
  if (!stale.empty())
    console.message("removed " + std::to_string(stale.size()) + " shared-memory segments of dead runs");
  for (const auto& n : notes) console.message(n);
  const int actors = static_cast<int>(cfg.get_int("run.actors"));
  const int learners = static_cast<int>(cfg.get_int("run.learners"));
  console.message("run " + rd.run_id + " (" + rd.dir + "): " + cfg.get_string("env.id") + ", " +
                  std::to_string(actors) + " actors x " +
                  std::to_string(cfg.get_int("actor.envs_per_actor")) + " envs, " + std::to_string(learners) +
                  " learner(s) on " + cfg.get_string("run.device") +
                  "; logs in logs/, curves: tensorboard --logdir " + cfg.get_string("run.run_dir"));

  RunContext run{rd.run_id, ProcessId::self(), rd.dir};
  const std::vector<std::string> common = {"--run-id",  rd.run_id, "--owner-pid", std::to_string(getpid()),
                                           "--run-dir", rd.dir,    "--config",    rd.config};
  auto with = [&](std::vector<std::string> head, const std::vector<std::string>& tail) {
    head.insert(head.begin() + 1, common.begin(), common.end());
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
  };
  const std::string self = self_exe();
  Supervisor sup(self, rd.logs, restart_policy(cfg), console);
  const bool fork = cfg.get_bool("run.fork_start") && fork_start_safe();
  if (fork) sup.set_fork_entry(run_role);
  sup.add(Role::Replay, 0, "replay", with({"replay"}, {}), role_exe(self, "shmrl-replay"), fork);
  for (int r = 0; r < learners; ++r) {
    std::vector<std::string> extra = {"--rank", std::to_string(r)};
    if (!args.resume.empty()) extra.push_back("--resume");
    sup.add(Role::Learner, r, "learner" + std::to_string(r), with({"learner"}, extra), "", fork, {"--restart"});
  }
  for (int i = 0; i < actors; ++i) {
    sup.add(Role::Actor, i, "actor" + std::to_string(i),
            with({"actor"}, {"--actor-id", std::to_string(i), "--num-actors", std::to_string(actors)}),
            role_exe(self, "shmrl-actor"), fork);
  }

  RunState st(cfg);
  st.startup.launcher_main_s = main_s;
  if (!args.resume.empty()) read_earlier_session(rd.dir, st);
  try {
    supervise(cfg, run, sup, console, elapsed, st);
  } catch (const std::exception& e) {
    // Start-up failures and launcher errors (metrics files): stop whatever started.
    st.outcome = stop_signal() ? Outcome::Signal : Outcome::Failure;
    st.reason = stop_signal() ? std::string("stopped by SIG") + sigabbrev_np(stop_signal()) : e.what();
    console.message(st.reason);
    stop_children_of(sup, cfg, console);
  }
  std::optional<TransitionAccount> account;
  try {
    account = account_transitions(run, *schema, actors);
    if (account) console.message("transitions: " + account->describe());
  } catch (const std::exception& e) {
    console.message(std::string("could not account for the transitions: ") + e.what());
  }
  shm::remove_run(rd.run_id);
  RunSummary sum{cfg.get_string("env.id"),
                 st.outcome == Outcome::Solved,
                 st.earlier_wall_s + elapsed(),
                 st.last.env_steps,
                 st.last.updates,
                 st.solve.solving() ? st.solve.solving()->mean : st.solve.last_mean(),
                 static_cast<uint64_t>(cfg.get_int("run.seed")),
                 rd.run_id,
                 st.reason,
                 restart_counts(sup),
                 static_cast<int>(cfg.get_int("eval.episodes")),
                 static_cast<int>(cfg.get_int("run.confirm_evals")),
                 std::nullopt,
                 st.solve.evaluations(),
                 st.startup,
                 st.verdict,
                 st.stages,
                 st.memory,
                 account};
  if (const auto& w = st.solve.solving(); sum.solved && w) {
    // The learners have stopped: the evaluated weights replace what they trained on since.
    sum.solve = SolveInfo{st.earlier_wall_s + st.solved_at_s, w->start_env_steps, w->weight_version, ""};
    try {
      sum.solve->checkpoint = save_evaluated_weights(cfg, rd.dir, *w);
      console.message("saved the solving weights (v" + std::to_string(w->weight_version) + ") as " +
                      sum.solve->checkpoint + " and checkpoints/policy.pt");
    } catch (const std::exception& e) {
      console.message(std::string("could not save the solving weights: ") + e.what());
    }
  }
  if (!args.resume.empty() && !st.started) {
    // A resume that never got going trained nothing: the run's totals stay those of its last session.
    console.message("the resumed run did not start: " + rd.dir + "/summary.json left as it was");
  } else {
    try {
      write_summary(rd.dir + "/summary.json", sum);
    } catch (const std::exception& e) {
      console.message(e.what());
    }
  }
  console.finish_progress();
  console.message(std::string(sum.solved ? "solved" : "not solved") + " after " + fmt(sum.wall_seconds) +
                  " s, " + fmt(sum.env_steps, 0) + " env steps, " + fmt(sum.updates, 0) + " updates; eval " +
                  (std::isnan(sum.eval_return) ? std::string("-") : fmt(sum.eval_return)) + "; " + rd.dir +
                  "/summary.json");
  switch (st.outcome) {
    case Outcome::Solved:
    case Outcome::TimeLimit:
    case Outcome::MaxSteps:
      return 0;
    case Outcome::Signal:
      return 128 + stop_signal();
    case Outcome::Failure:
      return 1;
  }
  return 1;
}

}  // namespace shmrl::launch
