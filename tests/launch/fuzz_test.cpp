// The fuzz targets that need LibTorch or the launcher (config loader, learner checkpoints, weight
// blobs): a short run of each, no crash and every bad input refused with a message; and
// `shmrl stress --fuzz` end to end (a target per process, fuzz.json).
#include <catch2/catch.hpp>

#include "common/fuzz.h"
#include "launch/fuzz_targets.h"
#include "tests/launch/train_fixture.h"

using namespace shmrl;
using namespace shmrl::test;

TEST_CASE("fuzz: config, learner checkpoints, weight blobs: no crash, every bad input refused with a message", "[fuzz]") {
  const auto name = GENERATE(as<std::string>{}, "config", "learner-checkpoint", "learner-checkpoint-sealed", "weights-blob");
  const fuzz::Target t = launch::make_fuzz_target(name);
  const fuzz::Stats st = fuzz::run(t, 1, /*seconds=*/2, /*max_runs=*/3000);
  INFO(name << ": " << st.runs << " runs, " << st.accepted << " accepted, " << st.refused << " refused; "
            << st.example_refusal);
  for (const auto& f : st.findings) FAIL_CHECK(f);
  CHECK(st.runs >= 50);
  CHECK(st.refused > 0);
  CHECK_FALSE(st.example_refusal.empty());
}

TEST_CASE("shmrl stress --fuzz: each target in its own process, figures in fuzz.json", "[fuzz]") {
  const fs::path out = fs::temp_directory_path() / ("shmrl-fuzz-test-" + std::to_string(getpid()));
  fs::remove_all(out);
  std::string output;
  const int rc = run_shmrl({"stress", "--fuzz", "1", "--fuzz-target", "ring-records,config", "--seed", "2", "--out",
                            out.string()},
                           output, std::chrono::seconds(120));
  INFO(output);
  CHECK(rc == 0);
  const auto doc = nlohmann::json::parse(slurp(out / "fuzz.json"));
  REQUIRE(doc["targets"].size() == 2);
  for (const auto& t : doc["targets"]) {
    CHECK(t["runs"].get<uint64_t>() > 0);
    CHECK(t["findings"].empty());
  }
  CHECK_THAT(output, Catch::Contains("0 findings"));
  std::string bad;
  CHECK(run_shmrl({"stress", "--fuzz", "1", "--fuzz-target", "nope"}, bad, std::chrono::seconds(60)) == 2);
  CHECK_THAT(bad, Catch::Contains("unknown fuzz target 'nope'") && Catch::Contains("ring-records"));
  fs::remove_all(out);
}
