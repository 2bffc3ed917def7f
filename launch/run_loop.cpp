#include "launch/run_loop.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>
#include <utility>

#include "common/stats.h"
#include "common/stop_signal.h"
#include "launch/evaluation.h"
#include "launch/stall.h"
#include "launch/tfevents.h"

namespace shmrl::launch {
namespace {
using Clock = std::chrono::steady_clock;

// Feeds every running child's stats to the watch; reports new stalls, kills those past
// run.stall.kill_s (poll() then restarts them). Returns the current stalls.
std::vector<Stall> watch_stalls(const Config& cfg, const RunContext& run, Supervisor& sup, const StatsSnapshot& snap,
                                double now, StallWatch& watch, Console& console) {
  for (const Member& m : sup.members()) {
    if (!m.child.running()) {
      watch.forget(m.name);
      continue;
    }
    if (m.role == Role::Evaluator) {
      watch.observe(m.name, read_stats(run, seg::evaluator_stats()), now);
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
      console.message(s.name + " has made no progress for " + fixed(s.for_s) + " s: alive, but its stats have not "
                      "changed (run.stall.warn_s = " + fixed(cfg.get_float("run.stall.warn_s")) + ")");
    if (s.kill) {
      console.message(s.name + " stalled for " + fixed(s.for_s) + " s (run.stall.kill_s = " +
                      fixed(cfg.get_float("run.stall.kill_s")) + "): SIGKILL, to restart it");
      sup.kill(s.name);
    }
  }
  return stalled;
}
}  // namespace

RestartCounts restart_counts(const Supervisor& sup) {
  return {sup.restarts(Role::Actor), sup.restarts(Role::Replay), sup.restarts(Role::Learner)};
}

void stop_children_of(Supervisor& sup, const Config& cfg, Console& console) {
  const double grace = cfg.get_float("run.stop_grace_s");
  const int signals_before = stop_signal_count();
  auto forced = [signals_before] { return stop_signal_count() > signals_before; };
  const auto killed = sup.stop_all(std::chrono::milliseconds(static_cast<int64_t>(1000 * grace)), forced);
  const bool was_forced = forced();
  for (const auto& name : killed) {
    console.message(name + (was_forced ? " SIGKILLed: the stop was forced by a second signal"
                                       : " did not stop within run.stop_grace_s = " + fixed(grace) +
                                             " s of SIGTERM: SIGKILLed"));
  }
}

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
          case Role::Evaluator:
            return ready(seg::evaluator_stats());
        }
        return false;
      },
      Clock::now() + timeout, stopping);
  st.started = true;
  for (const Member& m : sup.members()) {
    if (m.role == Role::Evaluator) continue;  // not on the training path
    const double s = st.startup.spawn_s + std::chrono::duration<double>(m.ready_at - spawned_at).count();
    double& role = m.role == Role::Replay ? st.startup.replay_ready_s
                   : m.role == Role::Learner ? st.startup.learners_ready_s
                                             : st.startup.actors_ready_s;
    role = std::isnan(role) ? s : std::max(role, s);
  }
  st.startup.all_ready_s = elapsed();
  console.message("all " + std::to_string(sup.members().size()) + " processes ready " +
                  fixed(st.startup.all_ready_s, 2) + " s after shmrl train started (" + st.startup.describe() + ")");

  const double time_limit = cfg.get_float("run.time_limit_s");
  const double max_steps = static_cast<double>(cfg.get_int("run.max_env_steps"));
  MetricsTracker tracker(cfg.get_int("actor.ring_capacity"), st.earlier_env_steps);
  CsvMetricsWriter csv(run.run_dir + "/metrics.csv");
  TfEventsWriter tb(run.run_dir);
  // Every evaluation goes to evaluations.csv as it finishes; the tracker keeps only the latest.
  bool said_csv_error = false;
  auto add_evaluation = [&](const EvalStats& r, bool after_stop) {
    try {
      append_evaluation_csv(run.run_dir + "/" + kEvaluationsFile, {r, after_stop});
    } catch (const std::exception& e) {
      if (!std::exchange(said_csv_error, true)) console.message(e.what());
    }
    return st.solve.add(r, after_stop);
  };
  PeriodicEvaluator evaluator(cfg, run, [&sup]() -> pid_t {
    for (const Member& m : sup.members())
      if (m.role == Role::Evaluator && m.child.running()) return m.child.pid();
    return 0;
  });
  StallWatch stalls({cfg.get_float("run.stall.warn_s"), cfg.get_float("run.stall.kill_s")});
  // Env steps now (evaluation records start from it): a metrics row can be up to a second old.
  auto env_steps_now = [&] {
    return tracker.env_steps_in(read_actor_stats(run, actors, st.earlier_wall_s + elapsed()));
  };
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
                        fixed(r->mean) + " +- " + fixed(r->std) + " (min " + fixed(r->min) + ", max " + fixed(r->max) +
                        ", " + std::to_string(r->episodes) + " episodes, weights v" +
                        std::to_string(r->weight_version) + ") at " + fixed(now) + " s");
        const auto verdict = add_evaluation(*r, false);
        if (verdict == SolveTracker::Verdict::Confirm) evaluator.confirm(*r, now, env_steps_now());
        if (verdict == SolveTracker::Verdict::Solved) {
          st.outcome = Outcome::Solved;
          st.solved_at_s = now;
          const int confirms = static_cast<int>(cfg.get_int("run.confirm_evals"));
          st.reason = "solved: greedy mean " + fixed(st.solve.solving()->mean) + " >= run.target_return " +
                      fixed(cfg.get_float("run.target_return")) + " (weights v" +
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
      console.progress(format_progress(st.last) + stall_note(watch_stalls(cfg, run, sup, snap, now, stalls, console)));
      // The full verdict (fractions, knob) when it changes; the progress line shows its name.
      if (!st.last.verdict.bound.empty() && st.last.verdict.bound != said_verdict && now >= next_verdict) {
        console.message("bottleneck: " + st.last.verdict.text());
        said_verdict = st.last.verdict.bound;
        next_verdict = now + kVerdictWindowS;
      }
    }
    if (time_limit > 0 && now >= time_limit) {
      st.outcome = Outcome::TimeLimit;
      st.reason = "time limit reached (run.time_limit_s = " + fixed(time_limit) + ")";
      break;
    }
    if (max_steps > 0 && st.last.env_steps >= max_steps) {
      st.outcome = Outcome::MaxSteps;
      st.reason = "env step limit reached (run.max_env_steps = " + fixed(max_steps, 0) + ")";
      break;
    }
    if (st.last.weight_version > 0) evaluator.maybe_start(now, env_steps_now);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // An evaluation in flight is cancelled, not awaited: whatever it was doing, the stop is prompt.
  evaluator.cancel();
  console.message(st.reason + (st.outcome == Outcome::Signal ? "; stopping (a second signal forces it)" : ""));
  stop_children_of(sup, cfg, console);
  try {
    if (auto r = evaluator.wait()) add_evaluation(*r, /*after_stop=*/true);
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
}  // namespace shmrl::launch
