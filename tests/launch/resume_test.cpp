// `shmrl train --resume` through real processes: the replay buffer saved at exit is restored, a
// corrupt newest learner checkpoint is skipped for the one before (and said so), a network that does
// not fit the checkpoint is refused before anything starts, and a resume that fails leaves the run's
// summary.json as it was.
#include <catch2/catch.hpp>

#include "tests/launch/train_fixture.h"

using namespace shmrl::test;

namespace {
std::vector<fs::path> learner_checkpoints(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind("ckpt-", 0) == 0) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("resume restores replay, skips a corrupt checkpoint, refuses another network, keeps summary.json on failure",
          "[train][resume]") {
  auto args = tiny_run_args();
  args.insert(args.end(), {"--time-limit", "4", "--set", "learner.checkpoint_period_s=0.5"});
  TrainRun run(args, "resume2");
  REQUIRE(run.wait_exit(120s) == 0);
  INFO(run.launcher_log());
  const fs::path ckdir = run.dir() / "checkpoints";
  REQUIRE(fs::exists(ckdir / "replay.ckpt"));  // replay.checkpoint_on_exit is on by default
  auto ckpts = learner_checkpoints(ckdir);
  REQUIRE(ckpts.size() >= 2);
  const std::string summary_before = slurp(run.dir() / "summary.json");
  std::string out;

  // Another network than the checkpoint's: refused before any process starts, with both shapes.
  CHECK(run_shmrl({"train", "--resume", run.dir().string(), "--set", "learner.hidden=[16]"}, out, 60s) == 2);
  CHECK_THAT(out, Catch::Contains("learner.hidden = [16]") && Catch::Contains("hidden = [32, 32]") &&
                      Catch::Contains(ckpts.back().filename().string()));
  CHECK(slurp(run.dir() / "summary.json") == summary_before);

  // A resume whose replay service cannot start (its checkpoint corrupted): summary.json untouched.
  const std::string replay_ckpt = slurp(ckdir / "replay.ckpt");
  std::ofstream(ckdir / "replay.ckpt", std::ios::binary) << "not a checkpoint";
  CHECK(run_shmrl({"train", "--resume", run.dir().string(), "--time-limit", "3"}, out, 120s) == 1);
  CHECK_THAT(out, Catch::Contains("summary.json left as it was"));
  CHECK(slurp(run.dir() / "summary.json") == summary_before);
  std::ofstream(ckdir / "replay.ckpt", std::ios::binary) << replay_ckpt;

  // The newest learner checkpoint truncated: the resume falls back to the one before and says so;
  // the replay buffer comes back from replay.ckpt.
  const fs::path newest = ckpts.back(), previous = ckpts[ckpts.size() - 2];
  const std::string bytes = slurp(newest);
  std::ofstream(newest, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 3);
  const int rc = run_shmrl({"train", "--resume", run.dir().string(), "--time-limit", "3"}, out, 120s);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK_THAT(out, Catch::Contains("skipping") && Catch::Contains(newest.filename().string()) &&
                      Catch::Contains("falling back"));
  const std::string learner_log = slurp(run.dir() / "logs" / "learner0.log");
  CHECK_THAT(learner_log, Catch::Contains("resumed from " + previous.string()));
  CHECK_THAT(slurp(run.dir() / "logs" / "replay.log"), Catch::Contains("restored"));
  CHECK_THAT(out, Catch::Contains("restoring the replay buffer"));
  const auto after = run.summary();
  CHECK(after["env_steps"].get<double>() > nlohmann::json::parse(summary_before)["env_steps"].get<double>());
}

TEST_CASE("SIGTERM during a 100000-episode evaluation ends the run within 10 s", "[train][stop]") {
  auto args = tiny_run_args();
  args.insert(args.end(), {"--set", "eval.episodes=100000", "--set", "eval.period_s=0.1"});
  TrainRun run(args, "evalstop");
  REQUIRE(run.wait_ready(120s));
  // An evaluation starts as soon as weights are published; 100,000 episodes take far longer than 10 s.
  REQUIRE(wait_for([&] { return run.metric("weight_version") > 0; }, 60s));
  std::this_thread::sleep_for(1s);
  const auto t0 = std::chrono::steady_clock::now();
  kill(run.pid(), SIGTERM);
  const int rc = run.wait_exit(10s);
  INFO(run.launcher_log());
  CHECK(rc == 128 + SIGTERM);
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK(shmrl::shm::list_segments(run.run_id()).empty());
}
