// The evaluator process of gym: runs fails without stopping training: a Python exception in an
// evaluation episode is reported (and the evaluator goes on), a hung evaluator is killed by the
// stall watch and restarted, and evaluations resume. Real processes; each run is stopped by the test
// (SIGTERM) once what it checks has happened and training has gone on past it (120 s bound).
#include <catch2/catch.hpp>

#include <cstdlib>

#include "actors/vector_envs.h"
#include "tests/launch/train_fixture.h"
#include "tests/skip.h"

using namespace shmrl::test;

namespace {
std::vector<std::string> eval_run_args(const std::string& id) {
  return {"--env", id, "--set", "env.python_modules=\"shmrl_test_envs\"", "--actors", "1",
          "--envs-per-actor", "8", "--time-limit", "120", "--target-return", "1e9",
          "--set", "eval.episodes=2", "--set", "eval.period_s=0.2",
          "--set", "replay.min_size_to_sample=256", "--set", "learner.batch_size=64",
          "--set", "learner.hidden=[32, 32]"};
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The evaluator child of the launcher (a fork titled `shmrl evaluator ...` or an exec of
// `shmrl-actor evaluator ...`), 0 if none.
pid_t evaluator_of(pid_t launcher) {
  for (const auto& [pid, cmd] : children_of(launcher))
    if (cmd.find(" evaluator ") != std::string::npos) return pid;
  return 0;
}

// Training goes on: the run's env steps grow by `more` (metrics rows, once a second), then the test
// stops the run with SIGTERM; returns the launcher's exit status.
int train_on_then_stop(TrainRun& run, double more) {
  const double from = run.metric("env_steps");
  const bool went_on = wait_for([&] { return run.metric("env_steps") >= from + more; }, 60s);
  CHECK(went_on);
  kill(run.pid(), SIGTERM);
  return run.wait_exit(60s);
}
}  // namespace

TEST_CASE("a Python exception in an evaluation episode is reported and training goes on", "[gym][train]") {
  if (!shmrl::actors::have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge");
  setenv("PYTHONPATH", SHMRL_GYM_TEST_DIR, 1);
  TrainRun run(eval_run_args("gym:ShmrlTest/RaisingInEvaluator-v0"), "gym-eval-raise");
  const fs::path eval_log_path = run.dir() / "logs" / "evaluator.log";
  const bool failed_twice = wait_for([&] { return count(slurp(eval_log_path), " failed: ") >= 2; }, 90s);
  const int rc = train_on_then_stop(run, 2000);
  const std::string log = run.launcher_log();
  const std::string eval_log = slurp(eval_log_path);
  INFO(log);
  INFO(eval_log);
  CHECK(failed_twice);
  CHECK(rc == 128 + SIGTERM);
  CHECK_THAT(log, Catch::Contains("evaluation failed: the evaluator failed on weights v") &&
                      Catch::Contains("shmrl test env raising in the evaluator"));
  // The traceback is in the evaluator's log; it rebuilt its envs and answered again, never crashing.
  CHECK_THAT(eval_log, Catch::Contains("Traceback") && Catch::Contains("rebuilding the envs"));
  CHECK_THAT(log, !Catch::Contains("evaluator (pid"));
  CHECK(run.summary()["evaluations"].empty());
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());
}

TEST_CASE("a hung evaluator is killed by the stall watch and restarted and evaluations resume", "[gym][train]") {
  if (!shmrl::actors::have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge");
  setenv("PYTHONPATH", SHMRL_GYM_TEST_DIR, 1);
  auto args = eval_run_args("gym:ShmrlTest/Corridor-v0");
  args.insert(args.end(), {"--set", "run.stall.warn_s=1", "--set", "run.stall.kill_s=3"});
  TrainRun run(args, "gym-eval-hang");
  const fs::path eval_log_path = run.dir() / "logs" / "evaluator.log";
  REQUIRE(wait_for([&] { return slurp(eval_log_path).find("evaluation 1:") != std::string::npos; }, 90s));
  const pid_t hung = evaluator_of(run.pid());
  REQUIRE(hung > 0);
  kill(hung, SIGSTOP);
  // Restarted (a second start line), then evaluating again.
  const bool resumed = wait_for(
      [&] {
        const std::string log = slurp(eval_log_path);
        const auto second = log.find("evaluator: ", log.find("evaluator: ") + 1);
        return second != std::string::npos && log.find("evaluation ", second) != std::string::npos;
      },
      60s);
  const int rc = train_on_then_stop(run, 2000);
  const std::string log = run.launcher_log();
  INFO(log);
  INFO(slurp(eval_log_path));
  CHECK(resumed);
  CHECK(rc == 128 + SIGTERM);
  CHECK_THAT(log, Catch::Contains("evaluator stalled for") && Catch::Contains("SIGKILL, to restart it") &&
                      Catch::Contains("evaluator (pid " + std::to_string(hung) + ") killed by signal 9"));
  CHECK(run.summary()["evaluations"].size() >= 2);
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());
}
