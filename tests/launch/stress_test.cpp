// `shmrl stress` end to end, short: actor chaos, replay kills, learner kills (1 learner), ring
// corruption and learner kills while checkpointing, each against a real CartPole run of a few
// seconds, each with zero transitions lost or stored twice, every corrupted record dropped, no
// shared memory and no process of the run left behind (stress.json's figures, checked here).
#include <catch2/catch.hpp>

#include "tests/launch/train_fixture.h"

using namespace shmrl::test;

TEST_CASE("shmrl stress: short fault scenarios lose nothing and leave nothing behind", "[stress]") {
  const fs::path out = fs::temp_directory_path() / ("shmrl-stress-test-" + std::to_string(getpid()));
  fs::remove_all(out);
  std::string output;
  const int rc = run_shmrl({"stress", "--scenario", "actor-chaos,replay-kill,learner-kill,corruption,checkpoint-kill",
                            "--duration", "7", "--seed", "3", "--no-baseline", "--out", out.string(), "--set",
                            "actor.envs_per_actor=4", "--set", "replay.min_size_to_sample=500", "--set",
                            "learner.hidden=[32, 32]"},
                           output, std::chrono::seconds(300));
  INFO(output);
  CHECK(rc == 0);
  const auto doc = nlohmann::json::parse(slurp(out / "stress.json"));
  REQUIRE(doc["scenarios"].size() == 5);
  for (const auto& s : doc["scenarios"]) {
    INFO(s.dump(2));
    CHECK(s["exit_code"] == 0);
    CHECK(s["faults"].get<int>() > 0);
    CHECK(s["transitions"]["lost"] == 0);
    CHECK(s["transitions"]["stored"].get<uint64_t>() > 0);
    CHECK(s["leaked_segments"] == 0);
    CHECK(s["processes_left"] == 0);
    CHECK(s["transitions"]["dropped"] == s["bad_records_injected"]);
    CHECK(s["ok"] == true);
    const auto& r = s["restarts"];
    const int restarts = r["actor"].get<int>() + r["replay"].get<int>() + r["learner"].get<int>();
    if (s["scenario"] != "corruption") CHECK(restarts > 0);
  }
  const auto& corruption = doc["scenarios"][3];
  CHECK(corruption["bad_records_injected"].get<int>() > 0);
  const auto& ckpt = doc["scenarios"][4];
  CHECK(ckpt["learner_restarts_logged"].get<int>() > 0);
  CHECK(ckpt["learner_restarts_without_checkpoint"] == 0);
  CHECK_THAT(output, Catch::Contains("scenario") && Catch::Contains("retained"));  // the table
  fs::remove_all(out);
}
