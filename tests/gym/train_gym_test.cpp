// gym: envs through real processes: a Gymnasium env defined in a test module (shmrl_test_envs.py)
// trains end to end, bounded by env steps; an unknown id is refused before any process starts; a
// Python exception inside step leaves its traceback in the actor's log and the actor is restarted
// within its budget.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "actors/vector_envs.h"
#include "tests/launch/train_fixture.h"
#include "tests/skip.h"

using namespace shmrl::test;

namespace {
std::vector<std::string> gym_run_args(const std::string& id, const std::string& max_steps) {
  return {"--env", id, "--set", "env.python_modules=\"shmrl_test_envs\"", "--actors", "1",
          "--envs-per-actor", "8", "--max-env-steps", max_steps, "--time-limit", "120",
          "--set", "replay.min_size_to_sample=256", "--set", "learner.batch_size=64",
          "--set", "learner.hidden=[32, 32]"};
}
}  // namespace

TEST_CASE("a Gymnasium env from a test module trains end to end through the bridge", "[gym][train]") {
  if (!shmrl::actors::have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge");
  setenv("PYTHONPATH", SHMRL_GYM_TEST_DIR, 1);
  TrainRun run(gym_run_args("gym:ShmrlTest/Corridor-v0", "40000"), "gym-e2e");
  REQUIRE(run.wait_exit(180s) == 0);
  INFO(run.launcher_log());
  INFO(slurp(run.dir() / "logs" / "actor0.log"));
  const auto summary = run.summary();
  CHECK(summary["env"] == "gym:ShmrlTest/Corridor-v0");
  CHECK(summary["env_steps"].get<double>() >= 40000);
  CHECK(summary["updates"].get<double>() > 100);
  // A random walk seldom reaches the corridor's end (training returns near -0.5); the trained
  // actor walks there in about 9 steps (about 0.9; the actor still explores).
  const auto rows = csv_rows(run.dir() / "metrics.csv");
  REQUIRE_FALSE(rows.empty());
  CHECK(std::stod(rows.back().at("train_return")) > 0.5);
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());
}

TEST_CASE("an unknown gym id is refused before any process starts, with the pip command", "[gym][train]") {
  std::string out;
  const auto root = fs::temp_directory_path() / ("shmrl-gym-unknown-" + std::to_string(getpid()));
  const int rc = run_shmrl({"train", "--run-dir", root.string(), "--env", "gym:NoSuchEnv-v9"}, out, 60s);
  fs::remove_all(root);
  INFO(out);
  CHECK(rc != 0);
  CHECK_THAT(out, Catch::Contains("unknown Gymnasium id 'NoSuchEnv-v9'") && Catch::Contains("pip install"));
  CHECK_THAT(out, !Catch::Contains("processes ready"));
}

TEST_CASE("a Python exception in step: traceback in the actor's log, the actor restarted within its budget",
          "[gym][train]") {
  if (!shmrl::actors::have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge");
  setenv("PYTHONPATH", SHMRL_GYM_TEST_DIR, 1);
  auto args = gym_run_args("gym:ShmrlTest/Raising-v0", "100000");
  args.insert(args.end(), {"--set", "run.restarts.actor=1"});
  TrainRun run(args, "gym-raise");
  REQUIRE(run.wait_exit(120s) != 0);  // the second crash is beyond the budget: the run fails
  INFO(run.launcher_log());
  CHECK_THAT(run.launcher_log(), Catch::Contains("restarting in") && Catch::Contains("(1/1)"));
  const std::string log = slurp(run.dir() / "logs" / "actor0.log");
  CHECK_THAT(log, Catch::Contains("Traceback") && Catch::Contains("shmrl test env raising on step 3"));
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());
}
