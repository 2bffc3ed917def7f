// `shmrl sweep`: spec errors before any run, a tiny 2-point sweep of real runs producing its CSV and
// JSON, and the sweep plots (when matplotlib is installed; else Skipped).
#include "launch/sweep.h"

#include <catch2/catch.hpp>

#include "launch/config.h"
#include "tests/launch/train_fixture.h"
#include "tests/skip.h"

using namespace shmrl::test;
using shmrl::launch::ConfigError;

namespace {
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag)
      : path(fs::temp_directory_path() / ("shmrl-sweep-test-" + std::to_string(getpid()) + "-" + tag)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};


const std::string kBase = std::string("base = \"") + SHMRL_SOURCE_DIR + "/configs/cartpole.toml\"\n";
}  // namespace

TEST_CASE("a sweep spec is checked before any run: keys, values, axes", "[sweep]") {
  TempDir d("spec");
  auto err = [&](const std::string& text) {
    try {
      shmrl::launch::load_sweep_spec(d.write("s.toml", text).string());
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(err(kBase + "time_limit_s = 5\n[axes]\nrun.actors = [1, 2]\nrun.actor = [3]\n"),
             Catch::Contains("unknown key 'run.actor'"));
  CHECK_THAT(err(kBase + "time_limit_s = 5\n[axes]\nrun.actors = [1, 0]\n"), Catch::Contains("run.actors = 0"));
  CHECK_THAT(err(kBase + "[axes]\nrun.actors = [1]\n"), Catch::Contains("time_limit_s"));
  CHECK_THAT(err(kBase + "time_limit_s = 5\n[axes]\n"), Catch::Contains("[axes] is empty"));
  CHECK_THAT(err(kBase + "time_limit_s = 5\nrepeat = 2\n[axes]\nrun.actors = [1]\n"),
             Catch::Contains("unknown key 'repeat'"));
  CHECK_THAT(err("base = \"nope.toml\"\ntime_limit_s = 5\n[axes]\nrun.actors = [1]\n"),
             Catch::Contains("does not exist"));

  const auto spec = shmrl::launch::load_sweep_spec(
      d.write("ok.toml", kBase + "time_limit_s = 5\nrepeats = 2\n[set]\neval.period_s = 100.0\n[axes]\n"
                                 "run.actors = [1, 2]\nlearner.hidden = [[32], [64, 64]]\n")
          .string());
  CHECK(spec.name == "ok");
  REQUIRE(spec.set.size() == 1);
  CHECK(spec.set[0].first == "eval.period_s");
  const auto points = shmrl::launch::expand_points(spec);
  REQUIRE(points.size() == 8);  // 2 x 2 points, 2 repeats each
  // Axes in key order, the last varying fastest.
  CHECK(points[0].values[0] == std::pair<std::string, std::string>("learner.hidden", "[ 32 ]"));
  CHECK(points[0].values[1] == std::pair<std::string, std::string>("run.actors", "1"));
  CHECK(points[1].repeat == 1);
  CHECK(points[2].values[1].second == "2");
  CHECK(points[4].values[0].second == "[ 64, 64 ]");
  CHECK(points[7].index == 3);
}

TEST_CASE("a 2-point sweep of real runs writes sweep.csv and sweep.json", "[sweep][train]") {
  TempDir d("run");
  const auto spec = d.write("tiny.toml", kBase +
                                             "time_limit_s = 6\n"
                                             "[set]\neval.period_s = 1000.0\nreplay.min_size_to_sample = 500\n"
                                             "replay.checkpoint_on_exit = false\nlearner.hidden = [32, 32]\n"
                                             "actor.envs_per_actor = 8\n"
                                             "[axes]\nrun.actors = [1, 2]\n");
  std::string out;
  const int rc = run_shmrl({"sweep", spec.string(), "--out", (d.path / "out").string()}, out, 240s);
  INFO(out);
  REQUIRE(rc == 0);
  const auto rows = csv_rows(d.path / "out" / "sweep.csv");
  REQUIRE(rows.size() == 2);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    INFO("row " << i);
    CHECK(r.at("run.actors") == std::to_string(i + 1));
    CHECK(r.at("exit_code") == "0");
    CHECK(std::stod(r.at("env_steps_per_s")) > 0);
    CHECK(std::stod(r.at("updates_per_s")) > 0);
    CHECK(std::stod(r.at("samples_per_s")) > 0);
    CHECK_FALSE(r.at("verdict").empty());
    CHECK(r.at("time_to_target_s").empty());  // no target in this spec
    CHECK(std::stod(r.at("actor_private_mb")) > 0);
    CHECK(std::stod(r.at("replay_private_mb")) > 0);
    CHECK(std::stod(r.at("actor_accounted")) > 0.5);
    CHECK(fs::exists(d.path / "out" / "runs" / r.at("run_id") / "summary.json"));
  }
  const auto j = nlohmann::json::parse(slurp(d.path / "out" / "sweep.json"));
  REQUIRE(j["points"].size() == 2);
  CHECK(j["points"][1]["config"]["run.actors"] == "2");
  CHECK(j["spec"]["axes"]["run.actors"].size() == 2);
}

TEST_CASE("scripts/plot.py renders a sweep's plots from its sweep.csv", "[sweep][plot]") {
  const char* home = std::getenv("SHMRL_HOME");
  const fs::path python = fs::path(home ? home : std::string(std::getenv("HOME")) + "/.cache/shmrl") / "plot-venv" /
                          "bin" / "python";
  if (!fs::exists(python) || std::system((python.string() + " -c 'import matplotlib' 2>/dev/null").c_str()) != 0)
    SHMRL_SKIP("matplotlib is not installed (./launch/plot installs it in " + python.parent_path().parent_path().string() +
               ")");
  TempDir d("plot");
  shmrl::launch::SweepSpec spec;
  spec.path = "tiny.toml";
  spec.axes = {{"run.actors", {"1", "2"}}, {"actor.envs_per_actor", {"16"}}};
  std::vector<shmrl::launch::PointResult> results;
  for (int i = 0; i < 2; ++i) {
    shmrl::launch::PointResult r;
    r.point = {i, 0, {{"run.actors", std::to_string(i + 1)}, {"actor.envs_per_actor", "16"}}};
    r.run_id = "p" + std::to_string(i);
    r.env_steps_per_s = 1000.0 * (i + 1);
    r.updates_per_s = 100;
    r.time_to_target_s = i == 0 ? 12.5 : NAN;
    r.verdict = "env-bound";
    r.stages = {{"actor_env", 0.7}, {"actor_ring_wait", 0.2}, {"learner_batch_wait", 0.6}};
    results.push_back(r);
  }
  shmrl::launch::write_sweep_files(d.path.string(), spec, results);
  const std::string cmd = python.string() + " " + SHMRL_SOURCE_DIR + "/scripts/plot.py " + d.path.string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  for (const char* png : {"throughput_vs_run_actors.png", "throughput_vs_actor_envs_per_actor.png", "stages.png",
                          "time_to_target.png"}) {
    INFO(png);
    CHECK(fs::file_size(d.path / "plots" / png) > 1000);
  }
}
