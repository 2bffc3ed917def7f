// shmrl eval of a Nature-CNN checkpoint of a gym: env: a few hundred env steps of a pixel env
// (ShmrlTest/PixelCorridor-v0, Atari-shaped uint8 frames) train the Nature CNN through real
// processes; its final checkpoint is evaluated by a one-shot evaluator process, reproducibly.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "actors/vector_envs.h"
#include "tests/launch/train_fixture.h"
#include "tests/skip.h"

using namespace shmrl::test;

TEST_CASE("shmrl eval runs a Nature-CNN checkpoint of a gym: pixel env", "[gym][train]") {
  if (!shmrl::actors::have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge");
  setenv("PYTHONPATH", SHMRL_GYM_TEST_DIR, 1);
  TrainRun run({"--env", "gym:ShmrlTest/PixelCorridor-v0", "--set", "env.python_modules=\"shmrl_test_envs\"",
                "--actors", "1", "--envs-per-actor", "4", "--max-env-steps", "600", "--time-limit", "120",
                "--target-return", "1e9", "--set", "eval.episodes=2", "--set", "replay.capacity=2000",
                "--set", "replay.min_size_to_sample=64", "--set", "learner.batch_size=16"},
               "gym-cnn-eval");
  REQUIRE(run.wait_exit(120s) == 0);
  INFO(run.launcher_log());
  const fs::path ckpts = run.dir() / "checkpoints";
  const auto policy = nlohmann::json::parse(slurp(ckpts / "policy.json"));
  INFO(policy.dump());
  const std::string ckpt = policy["checkpoint"];
  std::string arch = policy.dump();
  CHECK_THAT(arch, Catch::Contains("nature_cnn channels=4 actions=2"));

  std::string first, second;
  REQUIRE(run_shmrl({"eval", "--checkpoint", ckpt, "--episodes", "3", "--seed", "5", "--json"}, first, 120s) == 0);
  REQUIRE(run_shmrl({"eval", "--checkpoint", ckpt, "--episodes", "3", "--seed", "5", "--json"}, second, 120s) == 0);
  INFO(first);
  const auto a = nlohmann::json::parse(first.substr(first.find('{')));
  const auto b = nlohmann::json::parse(second.substr(second.find('{')));
  CHECK(a["env"] == "gym:ShmrlTest/PixelCorridor-v0");
  CHECK(a["episodes"] == 3);
  // Corridor returns: -0.5 (50 steps, never there) up to 0.92 (straight to the end).
  CHECK(a["min"].get<double>() >= -0.5 - 1e-9);
  CHECK(a["max"].get<double>() <= 0.92 + 1e-9);
  CHECK(a["mean"] == b["mean"]);  // greedy, same seeds: the same episodes
  CHECK(a["min"] == b["min"]);
}
