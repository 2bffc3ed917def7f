// When a run is solved: a passing evaluation plus run.confirm_evals passing re-evaluations of the same
// weights; evaluations after the stop are recorded but decide nothing. And what summary.json says.
#include "launch/solve.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "launch/summary.h"

using namespace shmrl::launch;
using Verdict = SolveTracker::Verdict;

namespace {
EvalStats eval(double mean, uint64_t version, bool confirmation = false, uint64_t seed = 7) {
  EvalStats s;
  s.mean = mean;
  s.weight_version = version;
  s.confirmation = confirmation;
  s.seed = seed;
  s.episodes = 20;
  s.weights = std::make_shared<const std::vector<std::byte>>(8);
  return s;
}
}  // namespace

TEST_CASE("solved only after the confirmations of the same weights pass", "[solve]") {
  SolveTracker t(475, 2);
  CHECK(std::isnan(t.last_mean()));
  CHECK(t.add(eval(300, 10)) == Verdict::Continue);
  CHECK(t.add(eval(480, 20)) == Verdict::Confirm);
  CHECK(t.add(eval(490, 20, true)) == Verdict::Confirm);  // one of two confirmations
  CHECK_FALSE(t.solving());
  CHECK(t.add(eval(476, 20, true)) == Verdict::Solved);
  REQUIRE(t.solving());
  CHECK(t.solving()->weight_version == 20);
  CHECK(t.solving()->mean == 480);  // the first passing evaluation, with its weights
  CHECK(t.solving()->weights);
  CHECK(t.evaluations().size() == 4);
  CHECK_FALSE(t.evaluations()[1].stats.weights);  // the list keeps figures only
  CHECK(t.add(eval(100, 30)) == Verdict::Continue);  // after solved: recorded, nothing changes
  CHECK(t.solving()->weight_version == 20);
}

TEST_CASE("a failed confirmation sends the run back to periodic evaluations", "[solve]") {
  SolveTracker t(475, 1);
  CHECK(t.add(eval(480, 20)) == Verdict::Confirm);
  CHECK(t.add(eval(470, 20, true)) == Verdict::Continue);
  CHECK(t.add(eval(499, 20, true)) == Verdict::Continue);  // no candidate any more
  CHECK_FALSE(t.solving());
  CHECK(t.add(eval(480, 40)) == Verdict::Confirm);
  CHECK(t.add(eval(480, 39, true)) == Verdict::Continue);  // other weights confirm nothing
  CHECK(t.add(eval(480, 40, true)) == Verdict::Solved);
  CHECK(t.solving()->weight_version == 40);
}

TEST_CASE("confirm_evals = 0: the first passing evaluation solves", "[solve]") {
  SolveTracker t(475, 0);
  CHECK(t.add(eval(475, 5)) == Verdict::Solved);
  CHECK_THROWS_AS(SolveTracker(475, -1), std::invalid_argument);
}

TEST_CASE("an evaluation finished after the stop never solves the run", "[solve]") {
  SolveTracker t(475, 0);
  CHECK(t.add(eval(500, 5), /*after_stop=*/true) == Verdict::Continue);
  CHECK_FALSE(t.solving());
  CHECK(t.last_mean() == 500);
  REQUIRE(t.evaluations().size() == 1);
  CHECK(t.evaluations()[0].after_stop);
}

TEST_CASE("summary.json: evaluations, solve and a weak claim under 10 episodes", "[solve][summary]") {
  const auto path = std::filesystem::temp_directory_path() / ("shmrl-summary-" + std::to_string(getpid()) + ".json");
  SolveTracker t(475, 1);
  t.add(eval(480, 20));
  t.add(eval(481, 20, true, 99));
  RunSummary s;
  s.env = "CartPole-v1";
  s.solved = true;
  s.eval_return = 480;
  s.eval_episodes = 5;
  s.confirm_evals = 1;
  s.solve = SolveInfo{1.5, 1000, 20, "ckpt"};
  s.evaluations.assign(t.evaluations().begin(), t.evaluations().end());
  write_summary(path, s);
  auto j = nlohmann::json::parse(std::ifstream(path));
  CHECK(j["claim"] == "weak");
  CHECK(j["solve"]["weight_version"] == 20);
  CHECK(j["solve"]["checkpoint"] == "ckpt");
  REQUIRE(j["evaluations"].size() == 2);
  CHECK(j["evaluations"][1]["confirmation"] == true);
  CHECK(j["evaluations"][1]["seed"] == 99);
  CHECK(j["evaluations"][1]["mean"] == 481.0);
  s.eval_episodes = 10;
  s.solved = false;
  s.solve.reset();
  write_summary(path, s);
  j = nlohmann::json::parse(std::ifstream(path));
  CHECK(j["claim"] == "ok");
  CHECK(j["solve"].is_null());
  std::filesystem::remove(path);
}

TEST_CASE("a long run keeps the latest evaluations in memory and every one in evaluations.csv", "[solve][summary]") {
  const auto dir = std::filesystem::temp_directory_path() / ("shmrl-evals-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string csv = (dir / kEvaluationsFile).string();
  SolveTracker t(1e9, 1, /*keep=*/3);
  for (int i = 0; i < 10; ++i) {
    EvalStats r = eval(i, 100 + i);
    r.start_s = i;
    t.add(r);
    append_evaluation_csv(csv, {r, i == 9});
  }
  CHECK(t.total() == 10);
  REQUIRE(t.evaluations().size() == 3);  // bounded: the latest three
  CHECK(t.evaluations().front().stats.weight_version == 107);
  CHECK(t.evaluations().back().stats.weight_version == 109);
  CHECK(t.last_mean() == 9);

  std::ifstream in(csv);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  REQUIRE(lines.size() == 11);  // one header, then every evaluation
  CHECK(lines[0].rfind("time_s,env_steps,weight_version,seed,episodes,mean,std", 0) == 0);
  CHECK(lines[1].rfind("0.000,0,100,7,20,0,", 0) == 0);
  CHECK(lines[10].rfind("9.000,0,109,7,20,9,", 0) == 0);
  CHECK(lines[10].substr(lines[10].size() - 4) == ",0,1");  // not a confirmation, after the stop

  RunSummary s;
  s.evaluations.assign(t.evaluations().begin(), t.evaluations().end());
  s.evaluations_total = t.total();
  const auto path = dir / "summary.json";
  write_summary(path, s);
  auto j = nlohmann::json::parse(std::ifstream(path));
  CHECK(j["evaluations"].size() == 3);
  CHECK(j["evaluations_total"] == 10);
  CHECK(j["evaluations_file"] == "evaluations.csv");
  std::filesystem::remove_all(dir);
}
