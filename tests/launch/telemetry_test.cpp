// Telemetry through real processes: the stage fractions of a real run add up to the launcher's
// wall time, `shmrl top --once` shows every process of a live run, summary.json names the
// bottleneck and each role's private memory; contrived runs get the right verdict (a learner made
// slow on purpose reads learner-bound, a slow env with a fast learner reads env-bound).
#include <catch2/catch.hpp>

#include "launch/stages.h"
#include "tests/launch/train_fixture.h"

using namespace shmrl::test;

namespace {

// A short run bounded by its time limit: no evaluations, no early stop.
std::vector<std::string> short_run(std::vector<std::string> extra, const char* seconds) {
  std::vector<std::string> args = {"--time-limit", seconds, "--target-return", "1e9", "--set", "eval.period_s=1000",
                                   "--set", "replay.checkpoint_on_exit=false"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}
}  // namespace

TEST_CASE("stage fractions of a real run add up to its wall time, top and summary show them", "[train][stages]") {
  TrainRun run(short_run({"--actors", "2", "--envs-per-actor", "8", "--set", "replay.min_size_to_sample=500",
                          "--set", "learner.hidden=[32, 32]"},
                         "12"),
               "stages");
  REQUIRE(run.wait_ready(120s));
  REQUIRE(wait_for([&] { return run.metric("updates") > 0; }, 60s));
  std::string top;
  CHECK(run_shmrl({"top", run.dir().string(), "--once"}, top, 30s) == 0);
  INFO(top);
  for (const char* s : {"replay ", "writer ", "sampler0 ", "learner0 ", "actor0 ", "actor1 ", "env ", "inference ",
                        "ring_wait ", "batch_wait ", "forward_backward ", "wait_insert ", "bottleneck: ", "private "})
    CHECK_THAT(top, Catch::Contains(s));
  CHECK_THAT(top, !Catch::Contains("not running"));
  REQUIRE(run.wait_exit(90s) == 0);

  const auto rows = csv_rows(run.dir() / "metrics.csv");
  INFO(run.launcher_log());
  // The first row has no previous one; the last is taken after the processes were stopped.
  REQUIRE(rows.size() >= 5);
  for (const auto& g : shmrl::launch::stage_groups()) {
    const std::string col = std::string(g.name) + "_accounted";
    double sum = 0;
    int n = 0;
    for (std::size_t i = 1; i + 1 < rows.size(); ++i) {
      const std::string& cell = rows[i].at(col);
      if (cell.empty()) continue;  // that process had not started its loop yet
      const double v = std::stod(cell);
      INFO(col << " row " << i << " = " << v);
      CHECK(v > 0.6);  // a process publishes at its own moments: one row may miss part of a second
      CHECK(v < 1.4);
      sum += v, ++n;
    }
    INFO(col << " over " << n << " rows");
    REQUIRE(n >= 3);
    CHECK(sum / n == Approx(1.0).margin(0.08));  // nothing lost, nothing counted twice
  }
  const auto summary = run.summary();
  INFO(summary.dump(2));
  const auto& b = summary["bottleneck"];
  const std::vector<std::string> bounds = {"env-bound",    "inference-bound", "transport-bound",
                                           "replay-bound", "learner-bound",   "rate-limited"};
  REQUIRE(b["verdict"].is_string());
  CHECK(std::find(bounds.begin(), bounds.end(), b["verdict"].get<std::string>()) != bounds.end());
  CHECK(b["stages"]["actor_env"].get<double>() > 0);
  CHECK(b["stages"]["learner_forward_backward"].get<double>() > 0);
  for (const char* role : {"launcher", "replay", "learner", "actor"}) {
    INFO(role);
    REQUIRE(summary["memory_mb"].contains(role));
    CHECK(summary["memory_mb"][role]["private"].get<double>() > 0);
  }
  CHECK_THAT(run.launcher_log(), Catch::Contains("bottleneck over the run: " + b["verdict"].get<std::string>()));
}

TEST_CASE("contrived runs get their verdict: a slow learner reads learner-bound, a slow env env-bound",
          "[train][stages][verdict]") {
  SECTION("a learner made slow on purpose (a wide network, large batches)") {
    TrainRun run(short_run({"--actors", "1", "--envs-per-actor", "16", "--set", "replay.min_size_to_sample=1000",
                            "--set", "learner.hidden=[512, 512]", "--set", "learner.batch_size=512"},
                           "15"),
                 "slowlearner");
    REQUIRE(run.wait_exit(150s) == 0);
    const auto b = run.summary()["bottleneck"];
    INFO(b.dump(2));
    CHECK(b["verdict"] == "learner-bound");
    CHECK(b["stages"]["actor_ring_wait"].get<double>() > 0.25);
  }
  SECTION("an env slower than a tiny learner (LunarLander, 64 envs, few samples per insert)") {
    TrainRun run(short_run({"--env", "LunarLander-v3", "--actors", "1", "--envs-per-actor", "64", "--set",
                            "learner.hidden=[16]", "--set", "learner.batch_size=32", "--set",
                            "replay.min_size_to_sample=500", "--set", "replay.samples_per_insert=0.25"},
                           "15"),
                 "slowenv");
    REQUIRE(run.wait_exit(150s) == 0);
    const auto b = run.summary()["bottleneck"];
    INFO(b.dump(2));
    CHECK(b["verdict"] == "env-bound");
    CHECK(b["stages"]["learner_batch_wait"].get<double>() > 0.25);
  }
}
