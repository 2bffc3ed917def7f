// Metrics: rows from stats snapshots (rates, monotone totals across an actor restart, lag, queue
// fill), the CSV file, TensorBoard tags, the progress line, and snapshots read from real segments.
#include "launch/metrics.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/shm/segment.h"
#include "common/stats.h"

using namespace shmrl::launch;
namespace fs = std::filesystem;

namespace {
StatMap actor(double steps, double episodes, double ret, double version, double records) {
  return {{"env_steps", steps},
          {"episodes", episodes},
          {"recent_return", ret},
          {"weight_version", version},
          {"records", records}};
}
}  // namespace

TEST_CASE("rows: totals, rates, return, lag and queue fill", "[metrics]") {
  MetricsTracker t(/*ring_capacity=*/1000);
  StatsSnapshot s;
  s.wall_s = 1.0;
  s.actors = {actor(100, 0, 0, 0, 90), actor(300, 0, 0, 0, 290)};
  s.replay = {{"size", 50}, {"actor0_inserts", 90}, {"actor1_inserts", 90}};
  s.learners = {{{"updates", 0}, {"weight_version", 0}}};
  MetricsRow r = t.update(s, NAN, {});
  CHECK(r.env_steps == 400);
  CHECK(r.env_steps_per_s == 0);  // no previous row
  CHECK(std::isnan(r.train_return));
  CHECK(std::isnan(r.eval_return));
  CHECK(r.queue_fill == Approx((0.0 + 200.0 / 1000) / 2));

  s.wall_s = 3.0;
  s.actors = {actor(500, 4, 20, 7, 490), actor(900, 2, 30, 5, 890)};
  s.replay = {{"size", 600}, {"actor0_inserts", 490}, {"actor1_inserts", 890}};
  s.learners = {{{"updates", 40}, {"weight_version", 9}}};
  r = t.update(s, 42.0, {.actor = 1});
  CHECK(r.env_steps == 1400);
  CHECK(r.env_steps_per_s == Approx(1000.0 / 2));
  CHECK(r.updates_per_s == Approx(20));
  CHECK(r.episodes == 6);
  CHECK(r.train_return == Approx(25));
  CHECK(r.weight_version == 9);
  CHECK(r.policy_lag == 4);  // newest 9, oldest actor 5
  CHECK(r.queue_fill == 0);
  CHECK(r.replay_size == 600);
  CHECK(r.eval_return == 42.0);
  CHECK(r.actor_restarts == 1);

  // Actor 1 restarted and briefly republishes a smaller total: the total never goes backwards.
  s.wall_s = 4.0;
  s.actors[1] = actor(0, 0, 0, 0, 0);
  r = t.update(s, 42.0, {.actor = 1});
  CHECK(r.env_steps == 1400);
  CHECK(r.env_steps_per_s == 0);
  CHECK(r.train_return == Approx(20));  // only actor 0 has finished episodes to report
}

TEST_CASE("the CSV has a header and one line per row, empty cells for NaN", "[metrics]") {
  fs::path path = fs::temp_directory_path() / ("shmrl-metrics-" + std::to_string(getpid()) + ".csv");
  {
    CsvMetricsWriter w(path.string());
    MetricsRow r;
    r.wall_s = 1.5;
    r.env_steps = 123456789;
    r.eval_return = NAN;
    r.train_return = 12.25;
    w.write(r);
  }
  std::ifstream in(path);
  std::string header, line, extra;
  std::getline(in, header);
  std::getline(in, line);
  CHECK_FALSE(std::getline(in, extra));
  fs::remove(path);
  CHECK(header.rfind("wall_s,env_steps,env_steps_per_s,", 0) == 0);
  std::vector<std::string> names, cells;
  for (std::stringstream h(header); std::getline(h, extra, ',');) names.push_back(extra);
  for (std::stringstream l(line + ","); std::getline(l, extra, ',');) cells.push_back(extra);
  REQUIRE(names.size() == metric_columns().size() + stage_columns().size());
  REQUIRE(cells.size() == names.size());
  auto cell = [&](const std::string& n) {
    return cells[std::find(names.begin(), names.end(), n) - names.begin()];
  };
  CHECK(cell("wall_s") == "1.5");
  CHECK(cell("env_steps") == "123456789");
  CHECK(cell("eval_return").empty());
  CHECK(cell("train_return") == "12.25");
}

TEST_CASE("a resumed run appends to its CSV and continues its env step total", "[metrics]") {
  fs::path path = fs::temp_directory_path() / ("shmrl-metrics-resume-" + std::to_string(getpid()) + ".csv");
  MetricsRow r;
  r.env_steps = 1;
  { CsvMetricsWriter(path.string()).write(r); }
  r.env_steps = 2;
  { CsvMetricsWriter(path.string()).write(r); }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  fs::remove(path);
  REQUIRE(lines.size() == 3);  // one header, two rows
  CHECK(lines[0].rfind("wall_s,", 0) == 0);
  CHECK(lines[2].rfind("0,2,", 0) == 0);

  MetricsTracker t(1024, /*base_env_steps=*/5000);
  StatsSnapshot s;
  s.actors = {actor(100, 1, 10, 0, 0)};
  CHECK(t.update(s, NAN, {}).env_steps == 5100);
}

TEST_CASE("TensorBoard tags skip missing values, the progress line shows the figures", "[metrics]") {
  MetricsRow r;
  r.wall_s = 12.0;
  r.env_steps = 1.5e6;
  r.env_steps_per_s = 98000;
  r.updates = 3400;
  r.replay_size = 100000;
  r.train_return = 123.45;
  r.eval_return = NAN;
  r.policy_lag = 3;
  r.queue_fill = 0.25;
  auto tags = tensorboard_scalars(r);
  auto has = [&](const std::string& t) {
    return std::any_of(tags.begin(), tags.end(), [&](auto& p) { return p.first == t; });
  };
  CHECK(has("return/train"));
  CHECK_FALSE(has("return/eval"));
  std::string line = format_progress(r);
  CHECK_THAT(line, Catch::Contains("1.5M steps 98k/s") && Catch::Contains("3.4k upd") &&
                       Catch::Contains("replay 100k") && Catch::Contains("return 123.5") &&
                       Catch::Contains("eval -") && Catch::Contains("lag 3") && Catch::Contains("queue 25%"));
  CHECK_THAT(line, !Catch::Contains("restarts"));
  r.actor_restarts = 2;
  CHECK_THAT(format_progress(r), Catch::Contains("restarts 2"));
}

TEST_CASE("snapshots read every process's stats segment", "[metrics]") {
  shmrl::RunContext run{shmrl::shm::new_run_id(), shmrl::ProcessId::self(), ""};
  {
    shmrl::StatsWriter a0(run, shmrl::seg::actor_stats(0), {"env_steps", "episodes"});
    shmrl::StatsWriter rep(run, shmrl::seg::replay_stats(), {"size"});
    shmrl::StatsWriter l0(run, shmrl::seg::learner_stats(0), {"updates"});
    a0.set("env_steps", 77);
    rep.set("size", 5);
    l0.set("updates", 9);
    StatsSnapshot s = read_snapshot(run, 2, 1, 3.0);
    REQUIRE(s.actors.size() == 2);
    CHECK(s.actors[0].at("env_steps") == 77);
    CHECK(s.actors[1].empty());  // actor 1 has not started
    CHECK(s.replay.at("size") == 5);
    CHECK(s.learners[0].at("updates") == 9);
    CHECK(s.wall_s == 3.0);
  }
  CHECK(shmrl::shm::remove_run(run.run_id) == 3);
  CHECK(shmrl::shm::list_segments(run.run_id).empty());
}
