// gym: envs through real processes: a Gymnasium env defined in a test module (shmrl_test_envs.py)
// trains and solves by greedy evaluation in the evaluator process, bounded by env steps; the
// evaluator's failures are reported and training goes on; an unknown id is refused before any process starts; a
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

TEST_CASE("a Gymnasium env from a test module trains through the bridge and solves by greedy evaluation",
          "[gym][train]") {
  if (!shmrl::actors::have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge");
  setenv("PYTHONPATH", SHMRL_GYM_TEST_DIR, 1);
  // Walking straight to the corridor's end returns 1 - 8 * 0.01 = 0.92; a random walk seldom gets there.
  auto args = gym_run_args("gym:ShmrlTest/Corridor-v0", "100000");
  args.insert(args.end(), {"--target-return", "0.9", "--set", "eval.episodes=5", "--set", "eval.period_s=0.5"});
  TrainRun run(args, "gym-e2e");
  REQUIRE(run.wait_exit(180s) == 0);
  INFO(run.launcher_log());
  INFO(slurp(run.dir() / "logs" / "evaluator.log"));
  const auto summary = run.summary();
  INFO(summary.dump(2));
  CHECK(summary["env"] == "gym:ShmrlTest/Corridor-v0");
  REQUIRE(summary["solved"] == true);
  CHECK(summary["eval_return"].get<double>() >= 0.9);
  CHECK(summary["updates"].get<double>() > 0);
  // The evaluator process ran the evaluations, as many as the summary lists (one line each), on the
  // weights the launcher handed it; the passing one is confirmed on fresh seeds.
  const std::string eval_log = slurp(run.dir() / "logs" / "evaluator.log");
  CHECK_THAT(eval_log, Catch::Contains("evaluator: gym:ShmrlTest/Corridor-v0, 5 episodes"));
  const uint64_t version = summary["solve"]["weight_version"];
  nlohmann::json passing, confirming;
  for (const auto& e : summary["evaluations"]) {
    CHECK(e["episodes"] == 5);
    CHECK_THAT(eval_log, Catch::Contains("seeds " + std::to_string(e["seed"].get<uint64_t>()) + "+"));
    if (e["weight_version"] == version && e["after_stop"] == false)
      (e["confirmation"] == true ? confirming : passing) = e;
  }
  REQUIRE(passing.is_object());
  REQUIRE(confirming.is_object());
  CHECK(confirming["mean"].get<double>() >= 0.9);
  CHECK(confirming["seed"] != passing["seed"]);
  const std::string ckpt = summary["solve"]["checkpoint"];
  REQUIRE(fs::exists(ckpt));
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());

  // shmrl eval of the saved checkpoint (the passing weights), through a one-shot evaluator process
  // on the passing evaluation's seeds, reproduces its returns.
  std::string out;
  REQUIRE(run_shmrl({"eval", "--checkpoint", ckpt, "--episodes", "5", "--seed",
                     std::to_string(passing["seed"].get<uint64_t>()), "--json"},
                    out, 120s) == 0);
  INFO(out);
  const auto j = nlohmann::json::parse(out.substr(out.find('{')));
  CHECK(j["env"] == "gym:ShmrlTest/Corridor-v0");
  CHECK(j["episodes"] == 5);
  CHECK(j["mean"].get<double>() == Approx(passing["mean"].get<double>()).margin(1e-9));
  CHECK(j["std"].get<double>() == Approx(passing["std"].get<double>()).margin(1e-9));
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
