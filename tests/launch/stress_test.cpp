// `shmrl stress` end to end, short: actor chaos, replay kills, learner kills (1 learner), ring
// and replay-storage corruption, and learner kills inside checkpoint writes, each against a real CartPole run of a few
// seconds, each with zero transitions lost or stored twice, every corrupted record dropped (stored
// ones found by their checksum, which the samplers check before a batch takes a record), no
// shared memory and no process of the run left behind (stress.json's figures, checked here).
#include <catch2/catch.hpp>

#include "tests/launch/train_fixture.h"
#include "tests/skip.h"

using namespace shmrl::test;

TEST_CASE("shmrl stress: short fault scenarios lose nothing and leave nothing behind", "[stress]") {
  const fs::path out = fs::temp_directory_path() / ("shmrl-stress-test-" + std::to_string(getpid()));
  fs::remove_all(out);
  std::string output;
  const int rc = run_shmrl({"stress", "--scenario", "actor-chaos,replay-kill,learner-kill,corruption,checkpoint-kill",
                            "--duration", "7", "--seed", "3", "--checkpoint-strikes", "3", "--no-baseline", "--out",
                            out.string(), "--set",
                            "actor.envs_per_actor=4", "--set", "replay.min_size_to_sample=500", "--set",
                            "learner.hidden=[32, 32]"},
                           output, std::chrono::seconds(300));
  INFO(output);
  CHECK(rc == 0);
  const auto doc = nlohmann::json::parse(slurp(out / "stress.json"));
  REQUIRE(doc["scenarios"].size() == 5);
  for (const auto& s : doc["scenarios"]) {
    INFO(s.dump(2));
    // checkpoint-kill stops its run by SIGINT once its strikes are done.
    CHECK(s["exit_code"] == (s["scenario"] == "checkpoint-kill" ? 130 : 0));
    CHECK(s["faults"].get<int>() > 0);
    CHECK(s["transitions"]["lost"] == 0);
    CHECK(s["transitions"]["stored"].get<uint64_t>() > 0);
    CHECK(s["leaked_segments"] == 0);
    CHECK(s["processes_left"] == 0);
    CHECK(s["transitions"]["dropped"] == s["bad_records_injected"]);
    CHECK(s["transitions"]["corrupt_stored"] == s["bad_stored_records_injected"]);
    CHECK(s["ok"] == true);
    const auto& r = s["restarts"];
    const int restarts = r["actor"].get<int>() + r["replay"].get<int>() + r["learner"].get<int>();
    if (s["scenario"] != "corruption") CHECK(restarts > 0);
  }
  const auto& corruption = doc["scenarios"][3];
  CHECK(corruption["bad_records_injected"].get<int>() > 0);
  CHECK(corruption["bad_stored_records_injected"].get<int>() > 0);
  // Every kill inside a checkpoint write; each restart loaded the newest complete checkpoint; every file left loads.
  const auto& ckpt = doc["scenarios"][4];
  const auto& k = ckpt["checkpoint_strikes"];
  CHECK(k["struck"] == 3);
  CHECK(k["attempted"].get<int>() >= 3);
  CHECK(ckpt["learner_restarts_logged"] == k["attempted"]);
  CHECK(k["newest_loaded"] == k["attempted"]);
  CHECK(k["files_left"].get<int>() > 0);
  CHECK(k["files_load"] == k["files_left"]);
  CHECK(ckpt["learner_restarts_without_checkpoint"] == 0);
  CHECK_THAT(output, Catch::Contains("kills struck inside a checkpoint write"));
  CHECK_THAT(output, Catch::Contains("scenario") && Catch::Contains("retained"));  // the table
  fs::remove_all(out);
}

TEST_CASE("shmrl stress: /dev/shm full at start and mid-run, launcher signals at random phases", "[stress]") {
  const fs::path out = fs::temp_directory_path() / ("shmrl-stress-test2-" + std::to_string(getpid()));
  fs::remove_all(out);
  std::string output;
  const int rc = run_shmrl({"stress", "--scenario", "shm-full-start,shm-full-mid,launcher-signals", "--duration", "6",
                            "--seed", "4", "--no-baseline", "--out", out.string(), "--set", "actor.envs_per_actor=4",
                            "--set", "replay.min_size_to_sample=500", "--set", "learner.hidden=[32, 32]"},
                           output, std::chrono::seconds(400));
  INFO(output);
  const auto doc = nlohmann::json::parse(slurp(out / "stress.json"));
  REQUIRE(doc["scenarios"].size() == 3);
  const auto& start = doc["scenarios"][0];
  if (start.contains("skipped")) SHMRL_SKIP(start["skipped"].get<std::string>());
  CHECK(rc == 0);
  for (const auto& s : doc["scenarios"]) {
    INFO(s.dump(2));
    CHECK(s["ok"] == true);
    CHECK(s["leaked_segments"] == 0);
    CHECK(s["processes_left"] == 0);
  }
  // Full at start: refused with the reason in the run's summary, nothing trained.
  CHECK(start["exit_code"] != 0);
  CHECK_THAT(start["stop_reason"].get<std::string>(), Catch::Contains("/dev/shm"));
  // Full mid-run: restarts of replay, actor and learner still work (pages reserved at creation).
  const auto& mid = doc["scenarios"][1];
  CHECK(mid["exit_code"] == 0);
  CHECK(mid["transitions"]["lost"] == 0);
  CHECK(mid["faults"].get<int>() == 4);
  // Launcher signals: every session's processes gone within the limit, the last resumed and ran out.
  const auto& sig = doc["scenarios"][2];
  CHECK(sig["exit_code"] == 0);
  CHECK(sig["faults"].get<int>() == 4);
  CHECK_THAT(sig["note"].get<std::string>(), Catch::Contains("sessions resumed"));
  fs::remove_all(out);
}

TEST_CASE("shmrl stress --soak: random faults, resident memory and open fds sampled per process", "[stress]") {
  const fs::path out = fs::temp_directory_path() / ("shmrl-stress-soak-" + std::to_string(getpid()));
  fs::remove_all(out);
  std::string output;
  const int rc = run_shmrl({"stress", "--soak", "14", "--seed", "5", "--no-baseline", "--out", out.string(), "--set",
                            "actor.envs_per_actor=4", "--set", "replay.min_size_to_sample=500", "--set",
                            "learner.hidden=[32, 32]"},
                           output, std::chrono::seconds(300));
  INFO(output);
  const auto doc = nlohmann::json::parse(slurp(out / "stress.json"));
  REQUIRE(doc["scenarios"].size() == 1);
  const auto& s = doc["scenarios"][0];
  INFO(s.dump(2));
  CHECK(s["scenario"] == "soak");
  CHECK(s["exit_code"] == 0);
  CHECK(s["faults"].get<int>() >= 1);
  CHECK(s["transitions"]["lost"] == 0);
  CHECK(s["leaked_segments"] == 0);
  CHECK(s["processes_left"] == 0);
  // Every process of the run sampled after the warm-up (a short soak's drift is reported, not judged).
  const auto& procs = s["resources"]["processes"];
  for (const char* name : {"launcher", "replay", "learner0", "actor0", "actor1"}) {
    INFO(name);
    REQUIRE(procs.contains(name));
    CHECK(procs[name]["rss_kb"][1].get<long>() > 0);
    CHECK(procs[name]["anon_kb"][1].get<long>() > 0);
    CHECK(procs[name]["anon_kb"][1].get<long>() <= procs[name]["rss_kb"][1].get<long>());
    CHECK(procs[name]["fds"][1].get<long>() > 2);
  }
  CHECK_THAT(output, Catch::Contains("resident memory and open fds per process"));
  if (s["ok"] == true) CHECK(rc == 0);
  fs::remove_all(out);
}
