// `shmrl stress --fuzz` end to end (a target per process, fuzz.json); the targets themselves are
// tested in tests/fuzz/ and tests/replay/.
#include <catch2/catch.hpp>

#include "tests/launch/train_fixture.h"

using namespace shmrl;
using namespace shmrl::test;

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
