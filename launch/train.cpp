#include "launch/train.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
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
#include "launch/resources.h"
#include "launch/resume.h"
#include "launch/run_dir.h"
#include "launch/run_loop.h"
#include "launch/solve.h"
#include "launch/role_entry.h"
#include "launch/summary.h"
#include "launch/supervisor.h"
#include "launch/validate_components.h"

namespace shmrl::launch {
namespace {
using Clock = std::chrono::steady_clock;

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

// The wall time and env steps an earlier session of a resumed run recorded (0 if none).
void read_earlier_session(const std::string& run_dir, RunState& st) {
  std::ifstream in(run_dir + "/summary.json");
  if (!in) return;
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return;
  st.earlier_wall_s = j.value("wall_seconds", 0.0);
  st.earlier_env_steps = j.value("env_steps", 0.0);
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

RestartPolicy restart_policy(const Config& cfg) {
  return {static_cast<int>(cfg.get_int("run.restarts.replay")), static_cast<int>(cfg.get_int("run.restarts.learner")),
          static_cast<int>(cfg.get_int("run.restarts.actor")), cfg.get_float("run.restarts.backoff_s"),
          static_cast<int>(cfg.get_int("run.restarts.evaluator"))};
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
  // gym: envs step only where Python is embedded, never in the launcher: their greedy evaluation runs
  // in an evaluator process (actors/evaluator.h), supervised like the others.
  if (envs::is_gym_id(cfg.get_string("env.id")))
    sup.add(Role::Evaluator, 0, "evaluator", with({"evaluator"}, {}), role_exe(self, "shmrl-actor"), fork);

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
                 {st.solve.evaluations().begin(), st.solve.evaluations().end()},
                 st.startup,
                 st.verdict,
                 st.stages,
                 st.memory,
                 account};
  sum.evaluations_total = st.solve.total();
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
  console.message(std::string(sum.solved ? "solved" : "not solved") + " after " + fixed(sum.wall_seconds) +
                  " s, " + fixed(sum.env_steps, 0) + " env steps, " + fixed(sum.updates, 0) + " updates; eval " +
                  (std::isnan(sum.eval_return) ? std::string("-") : fixed(sum.eval_return)) + "; " + rd.dir +
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
