// `shmrl train` through real processes: configuration errors before anything starts, clean stops on
// SIGTERM (children gone within 10 s, no shared memory left, final checkpoint), actor restart after
// a SIGKILL, children following a SIGKILLed launcher (and the next run removing the leftovers), and
// CartPole trained to solved, bounded by env steps.
#include <catch2/catch.hpp>

#include "tests/launch/train_fixture.h"
#include "tests/skip.h"

using namespace shmrl::test;

namespace {
// Waits until every process in `pids` has ended (zombies count as ended).
bool all_gone(const std::map<pid_t, std::string>& pids, std::chrono::milliseconds timeout) {
  std::vector<shmrl::ProcessId> ids;
  for (const auto& [pid, cmd] : pids) ids.push_back(shmrl::ProcessId::of(pid));
  return wait_for(
      [&] {
        return std::none_of(ids.begin(), ids.end(), [](const shmrl::ProcessId& p) { return p.alive(); });
      },
      timeout);
}
pid_t find_child(const std::map<pid_t, std::string>& children, const std::string& needle) {
  for (const auto& [pid, cmd] : children) {
    if (cmd.find(needle) != std::string::npos) return pid;
  }
  return -1;
}
// Every transition the actors committed is stored, dropped as bad, or still in a ring; none is
// lost or stored twice (launch/accounting.h), and the run left no shared memory behind.
void check_accounting(const TrainRun& run) {
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());
  const auto summary = run.summary();
  INFO(summary.dump());
  const auto& t = summary["transitions"];
  REQUIRE(t.is_object());
  CHECK(t["lost"] == 0);
  CHECK(t["skipped"] == 0);
  CHECK(t["stored"].get<uint64_t>() > 0);
  CHECK(t["committed"].get<uint64_t>() == t["stored"].get<uint64_t>() + t["dropped"].get<uint64_t>() +
                                              t["in_rings"].get<uint64_t>());
}
}  // namespace

TEST_CASE("train refuses a bad configuration before starting anything", "[train]") {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expect;
  };
  const Case cases[] = {
      {{"--set", "replay.capacty=5000"}, {"unknown key 'replay.capacty'", "did you mean 'replay.capacity'"}},
      {{"--actors", "0"}, {"--actors 0", "run.actors = 0", "[1, 1024]"}},
      {{"--set", "actor.ring_capacity=1000"}, {"actor.ring_capacity = 1000", "power of two"}},
      {{"--set", "replay.alpha=nan"}, {"replay.alpha = nan", "not finite"}},
      {{"--env", "NoSuchEnv-v0"}, {"env.id = \"NoSuchEnv-v0\"", "CartPole-v1"}},
      // A rate limiter that could deadlock: rejected by the replay service's own validation.
      {{"--set", "replay.error_buffer=1"}, {"replay.error_buffer"}},
      // An algorithm that cannot handle the env's action space.
      {{"--env", "Pendulum-v1", "--set", "learner.algorithm=dqn"},
       {"learner.algorithm = \"dqn\"", "Discrete", "Box", "Pendulum-v1"}},
      {{"--set", "learner.algorithm=sac"}, {"learner.algorithm = \"sac\"", "Box", "Discrete(2)", "CartPole-v1"}},
      {{"--set", "learner.algorithm=td3"}, {"learner.algorithm = \"td3\"", "CartPole-v1"}},
  };
  int i = 0;
  for (const auto& c : cases) {
    TrainRun run(c.args, "cfg" + std::to_string(i++));
    INFO(run.output());
    CHECK(run.wait_exit(60s) == 2);
    for (const auto& e : c.expect) CHECK_THAT(run.output(), Catch::Contains(e));
    CHECK_FALSE(fs::exists(run.dir()));
    CHECK(shmrl::shm::list_segments(run.run_id()).empty());
  }
}

TEST_CASE("SIGTERM stops every child within 10 s and leaves no shared memory", "[train]") {
  TrainRun run(tiny_run_args(), "term");
  REQUIRE(run.wait_ready(120s));
  auto children = children_of(run.pid());
  INFO(run.launcher_log());
  CHECK(children.size() == 4);  // replay, learner0, actor0, actor1
  REQUIRE(find_child(children, " replay ") > 0);
  REQUIRE_FALSE(shmrl::shm::list_segments(run.run_id()).empty());

  kill(run.pid(), SIGTERM);
  CHECK(all_gone(children, 10s));
  CHECK(run.wait_exit(20s) == 128 + SIGTERM);
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());
  auto summary = run.summary();
  CHECK(summary["stop_reason"] == "stopped by SIGTERM");
  CHECK(summary["env"] == "CartPole-v1");
  CHECK(summary["solved"] == false);
  // Start-up in order: launcher main, children spawned (forks here: no CUDA), each role ready.
  const auto& up = summary["startup"];
  CHECK(up["launcher_main_s"].get<double>() > 0);
  CHECK(up["launcher_main_s"].get<double>() <= up["spawn_s"].get<double>());
  for (const char* role : {"replay_ready_s", "learners_ready_s", "actors_ready_s"}) {
    INFO(role);
    CHECK(up[role].get<double>() >= up["spawn_s"].get<double>());
    CHECK(up[role].get<double>() <= up["all_ready_s"].get<double>());
  }
  CHECK_THAT(run.launcher_log(), Catch::Contains("processes ready") && Catch::Contains("launcher main"));
  CHECK_FALSE(fs::is_empty(run.dir() / "checkpoints"));  // the learner's final checkpoint
  CHECK(fs::exists(run.dir() / "config.toml"));
  CHECK(fs::exists(run.dir() / "logs" / "actor1.log"));
}

TEST_CASE("a SIGKILLed actor is restarted and the run goes on", "[train]") {
  TrainRun run(tiny_run_args(), "restart");
  REQUIRE(run.wait_ready(120s));
  INFO(run.launcher_log());
  pid_t victim = find_child(children_of(run.pid()), "--actor-id 1 ");
  REQUIRE(victim > 0);
  REQUIRE(wait_for([&] { return run.metric("env_steps") > 0; }, 30s));

  kill(victim, SIGKILL);
  REQUIRE(wait_for([&] { return run.metric("actor_restarts") >= 1; }, 15s));
  CHECK_THAT(run.launcher_log(), Catch::Contains("actor1 (pid " + std::to_string(victim) +
                                                 ") killed by signal 9 (SIGKILL); restarting in 0.5 s (1/3)"));
  pid_t successor = -1;
  CHECK(wait_for([&] { return (successor = find_child(children_of(run.pid()), "--actor-id 1 ")) > 0; }, 10s));
  CHECK(successor != victim);
  // Training carries on: env steps keep growing after the restart.
  double steps = run.metric("env_steps");
  CHECK(wait_for([&] { return run.metric("env_steps") > steps + 1000; }, 30s));

  auto children = children_of(run.pid());
  kill(run.pid(), SIGTERM);
  CHECK(all_gone(children, 10s));
  CHECK(run.wait_exit(20s) == 128 + SIGTERM);
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());
  const auto summary = run.summary();
  CHECK(summary["actor_restarts"] == 1);
  CHECK(summary["restarts"]["actor"] == 1);
  check_accounting(run);  // the killed actor's committed records too
}

TEST_CASE("a SIGKILLed replay service is restarted on its storage, the run goes on and loses nothing", "[train]") {
  auto args = tiny_run_args();
  args.insert(args.end(), {"--max-env-steps", "40000"});
  TrainRun run(args, "replaykill");
  REQUIRE(run.wait_ready(120s));
  INFO(run.launcher_log());
  const pid_t victim = find_child(children_of(run.pid()), " replay ");
  REQUIRE(victim > 0);
  REQUIRE(wait_for([&] { return run.metric("replay_inserts") >= 3000 && run.metric("updates") > 0; }, 60s));
  kill(victim, SIGKILL);
  REQUIRE(wait_for([&] { return run.metric("replay_restarts") >= 1; }, 15s));
  const double inserts_at_kill = run.metric("replay_inserts"), updates_at_kill = run.metric("updates");
  CHECK_THAT(run.launcher_log(), Catch::Contains("replay (pid " + std::to_string(victim) +
                                                 ") killed by signal 9 (SIGKILL); restarting in 0.5 s (1/5)"));
  // It goes on to its env step bound: the restarted service stores and serves batches again.
  REQUIRE(run.wait_exit(120s) == 0);
  CHECK_THAT(slurp(run.dir() / "logs" / "replay.log"), Catch::Contains("generation 2, re-attached to stored items"));
  const auto summary = run.summary();
  CHECK(summary["stop_reason"] == "env step limit reached (run.max_env_steps = 40000)");
  CHECK(summary["restarts"]["replay"] == 1);
  CHECK(summary["transitions"]["replay_generation"] == 2);
  CHECK(summary["transitions"]["stored"].get<double>() > inserts_at_kill);
  CHECK(summary["updates"].get<double>() > updates_at_kill);
  check_accounting(run);
}

TEST_CASE("a SIGKILLed learner restarts from the newest of its checkpoint and the weight board, and trains on", "[train]") {
  const int learners = GENERATE(1, 2);  // 2: the survivor is stopped, both meet on a fresh store prefix
  auto args = tiny_run_args();
  args.insert(args.end(), {"--max-env-steps", "40000", "--learners", std::to_string(learners)});
  TrainRun run(args, "learnerkill" + std::to_string(learners));
  REQUIRE(run.wait_ready(120s));
  INFO(run.launcher_log());
  const pid_t victim = find_child(children_of(run.pid()), "--rank " + std::to_string(learners - 1));
  REQUIRE(victim > 0);
  REQUIRE(wait_for([&] { return run.metric("updates") >= 200; }, 60s));
  kill(victim, SIGKILL);
  REQUIRE(wait_for([&] { return run.metric("learner_restarts") >= 1; }, 15s));
  const double updates_at_kill = run.metric("updates");
  REQUIRE(run.wait_exit(120s) == 0);
  const auto summary = run.summary();
  CHECK(summary["stop_reason"] == "env step limit reached (run.max_env_steps = 40000)");
  CHECK(summary["restarts"]["learner"] == 1);
  // It continued from the weights it had published (no checkpoint was due yet), then trained on.
  const std::string log0 = slurp(run.dir() / "logs" / "learner0.log");
  CHECK_THAT(log0, Catch::Contains("learner 0: restarted: no checkpoint yet; then the weight board's newer network"));
  CHECK(summary["updates"].get<double>() > updates_at_kill + 100);
  if (learners == 2) CHECK_THAT(run.launcher_log(), Catch::Contains("stopped: the learners restart together"));
  check_accounting(run);
}

TEST_CASE("a SIGSTOPped learner is reported as stalled, killed past run.stall.kill_s and restarted", "[train]") {
  auto args = tiny_run_args();
  args.insert(args.end(), {"--max-env-steps", "30000", "--set", "run.stall.warn_s=1", "--set", "run.stall.kill_s=4"});
  TrainRun run(args, "stall");
  REQUIRE(run.wait_ready(120s));
  INFO(run.launcher_log());
  const pid_t victim = find_child(children_of(run.pid()), "--rank 0");
  REQUIRE(victim > 0);
  REQUIRE(wait_for([&] { return run.metric("updates") >= 100; }, 60s));
  kill(victim, SIGSTOP);
  REQUIRE(wait_for([&] { return run.metric("learner_restarts") >= 1; }, 20s));
  const std::string log = run.launcher_log();
  CHECK_THAT(log, Catch::Contains("learner0 has made no progress for") && Catch::Contains("run.stall.warn_s = 1.0"));
  CHECK_THAT(log, Catch::Contains("(run.stall.kill_s = 4.0): SIGKILL, to restart it"));
  CHECK_THAT(log, Catch::Contains("learner0 (pid " + std::to_string(victim) + ") killed by signal 9 (SIGKILL); restarting"));
  REQUIRE(run.wait_exit(120s) == 0);
  CHECK(run.summary()["restarts"]["learner"] == 1);
  check_accounting(run);
}

TEST_CASE("a SIGKILLed launcher takes its children along, the next run removes the leftovers", "[train]") {
  std::string old_id;
  bool removed_by_another = false;
  {
    TrainRun run(tiny_run_args(), "kill9");
    REQUIRE(run.wait_ready(120s));
    auto children = children_of(run.pid());
    REQUIRE(children.size() == 4);
    kill(run.pid(), SIGKILL);
    REQUIRE(run.wait_exit(10s) == 128 + SIGKILL);
    CHECK(all_gone(children, 10s));
    old_id = run.run_id();
    // Nobody cleaned up: the segments stay until a run starts (any run: another test running in
    // parallel may be the one that removes them; then the cleanup below is not exercised).
    removed_by_another = shmrl::shm::list_segments(old_id).empty();
    if (!removed_by_another) {
      TrainRun next({"--max-env-steps", "1", "--actors", "1", "--envs-per-actor", "2"}, "next");
      CHECK(next.wait_exit(120s) == 0);
      INFO(next.launcher_log());
      CHECK(shmrl::shm::list_segments(old_id).empty());
      CHECK(shmrl::shm::list_segments(next.run_id()).empty());
    }
  }
  if (removed_by_another) SHMRL_SKIP("a concurrent run removed the leftovers first: the next run's cleanup was not exercised");
}

TEST_CASE("a stopped run resumes from its checkpoint, shmrl eval scores a checkpoint", "[train]") {
  auto args = tiny_run_args();
  // Sutton & Barto's CartPole rewards (0 a step, -1 at a fall) tell which kwargs an eval used.
  args.insert(args.end(), {"--time-limit", "4", "--target-return", "1000", "--set",
                           "env.kwargs.sutton_barto_reward=true"});
  TrainRun run(args, "resume");
  REQUIRE(run.wait_exit(120s) == 0);
  INFO(run.launcher_log());
  auto first = run.summary();
  CHECK(first["stop_reason"] == "time limit reached (run.time_limit_s = 4.0)");

  std::string out;
  int rc = run_shmrl({"train", "--resume", run.dir().string(), "--time-limit", "4"}, out, 120s);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK_THAT(slurp(run.dir() / "logs" / "learner0.log"), Catch::Contains("resumed from"));
  auto second = run.summary();
  CHECK(second["wall_seconds"].get<double>() > first["wall_seconds"].get<double>() + 3);
  CHECK(second["env_steps"].get<double>() > first["env_steps"].get<double>());
  CHECK(second["updates"].get<double>() > first["updates"].get<double>());
  std::istringstream csv(slurp(run.dir() / "metrics.csv"));
  int headers = 0;
  for (std::string line; std::getline(csv, line);) headers += line.rfind("wall_s,", 0) == 0;
  CHECK(headers == 1);
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());

  fs::path ckpt;
  for (const auto& e : fs::directory_iterator(run.dir() / "checkpoints")) {
    if (e.path().filename().string().rfind("ckpt-", 0) == 0) ckpt = e.path();
  }
  REQUIRE_FALSE(ckpt.empty());
  REQUIRE(run_shmrl({"eval", "--checkpoint", ckpt.string(), "--episodes", "3", "--json"}, out, 60s) == 0);
  auto j = nlohmann::json::parse(out.substr(out.find('{')));
  CHECK(j["episodes"] == 3);
  CHECK(j["env"] == "CartPole-v1");
  CHECK(j["env_kwargs"] == nlohmann::json{{"sutton_barto_reward", "true"}});  // the run's kwargs
  CHECK(j["min"].get<double>() <= j["mean"].get<double>());
  CHECK(j["mean"].get<double>() <= j["max"].get<double>());
  CHECK(j["min"].get<double>() >= -1.0);
  CHECK(j["max"].get<double>() <= 0.0);
  // --kwarg overrides them: the standard reward, at least 1 for every episode.
  REQUIRE(run_shmrl({"eval", "--checkpoint", ckpt.string(), "--episodes", "3", "--json", "--kwarg",
                     "sutton_barto_reward=false"},
                    out, 60s) == 0);
  j = nlohmann::json::parse(out.substr(out.find('{')));
  CHECK(j["min"].get<double>() >= 1.0);
  CHECK(run_shmrl({"eval", "--checkpoint", ckpt.string(), "--kwarg", "sutton_barto_reward"}, out, 60s) == 1);
  CHECK_THAT(out, Catch::Contains("expected NAME=VALUE"));

  // A truncated checkpoint is refused, naming the file.
  fs::path cut = run.dir() / "cut.pt";
  std::string bytes = slurp(ckpt);
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  CHECK(run_shmrl({"eval", "--checkpoint", cut.string(), "--episodes", "1"}, out, 60s) == 1);
  CHECK_THAT(out, Catch::Contains("cut.pt"));
}

// (No ',' or ';' in test names: ctest's test discovery splits names there.)
TEST_CASE("CartPole-v1 trains to solved end to end (bounded by env steps) and saves the passing weights",
          "[train][e2e]") {
  TrainRun run({"--env", "CartPole-v1", "--seed", "1", "--max-env-steps", "1000000", "--time-limit", "0"},
               "e2e");
  int rc = run.wait_exit(600s);
  INFO(run.launcher_log());
  REQUIRE(rc == 0);
  auto summary = run.summary();
  INFO(summary.dump(2));
  REQUIRE(summary["solved"] == true);
  CHECK(summary["eval_return"].get<double>() >= 475.0);
  CHECK(summary["env_steps"].get<double>() <= 1000000 + 100000);  // the limit plus at most ~1 s of steps
  CHECK(summary["updates"].get<double>() > 0);
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());

  // The passing evaluation and its confirmation (default run.confirm_evals = 1): same weights, fresh seeds.
  const auto& solve = summary["solve"];
  const uint64_t version = solve["weight_version"];
  // Updates start once replay.min_size_to_sample (2000) transitions are stored, so the env steps at
  // the passing evaluation's start are at least that: counted then, not taken from a metrics row
  // that can be a second old (a sub-second solve once recorded 0).
  CHECK(solve["env_steps"].get<double>() >= 2000);
  CHECK(solve["env_steps"].get<double>() <= summary["env_steps"].get<double>());
  nlohmann::json passing, confirming;
  for (const auto& e : summary["evaluations"]) {
    if (e["weight_version"] != version || e["after_stop"] == true) continue;
    (e["confirmation"] == true ? confirming : passing) = e;
  }
  REQUIRE(passing.is_object());
  REQUIRE(confirming.is_object());
  CHECK(passing["mean"].get<double>() == summary["eval_return"].get<double>());
  CHECK(confirming["mean"].get<double>() >= 475.0);
  CHECK(confirming["seed"] != passing["seed"]);
  CHECK(summary["claim"] == "ok");  // 20 episodes

  // Saved: those weights, as the newest checkpoint and as policy.pt; nothing trained on later is left.
  const fs::path ckpt = solve["checkpoint"].get<std::string>();
  REQUIRE(fs::exists(ckpt));
  for (const auto& e : fs::directory_iterator(run.dir() / "checkpoints")) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ckpt-", 0) == 0) CHECK(name <= ckpt.filename().string());
  }
  auto policy = nlohmann::json::parse(slurp(run.dir() / "checkpoints" / "policy.json"));
  CHECK(policy["updates"] == version);
  CHECK(policy["checkpoint"] == ckpt.string());

  // shmrl eval of the saved checkpoint on the passing evaluation's seeds reproduces its mean.
  std::string out;
  REQUIRE(run_shmrl({"eval", "--checkpoint", ckpt.string(), "--episodes",
                     std::to_string(passing["episodes"].get<int>()), "--seed",
                     std::to_string(passing["seed"].get<uint64_t>()), "--json"},
                    out, 120s) == 0);
  INFO(out);
  auto j = nlohmann::json::parse(out.substr(out.find('{')));
  CHECK(j["mean"].get<double>() == Approx(passing["mean"].get<double>()).margin(1.0));
  CHECK(j["mean"].get<double>() >= 474.0);
}
