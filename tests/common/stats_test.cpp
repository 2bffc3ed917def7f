#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/shm/segment.h"
#include "common/stats.h"

using namespace shmrl;

TEST_CASE("stats: another process reads what a writer publishes, a restarted writer keeps counts", "[stats]") {
  RunContext run{shm::new_run_id(), ProcessId::self(), ""};
  CHECK(read_stats(run, "actor0-stats").empty());
  {
    StatsWriter w(run, "actor0-stats", {"env_steps", "episodes"});
    w.add("env_steps", 100);
    w.add("env_steps", 28);
    w.set("episodes", 3);
    REQUIRE_THROWS_AS(w["nope"], std::out_of_range);
  }
  const pid_t child = fork();
  if (child == 0) {
    const auto s = read_stats(run, "actor0-stats");
    // Besides its names, every block says which process wrote it.
    _exit(s.size() == 3 && s.at("env_steps") == 128 && s.at("episodes") == 3 && s.at("pid") == getppid() ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  {
    StatsWriter again(run, "actor0-stats", {"env_steps", "episodes", "blocked_s"});
    again.add("env_steps", 2);
  }
  const auto s = read_stats(run, "actor0-stats");
  CHECK(s.at("env_steps") == 130);
  CHECK(s.at("blocked_s") == 0);
  CHECK(shm::remove_run(run.run_id) == 1);
}

TEST_CASE("stats: a block holds as many names as its writer registers (e.g. one per actor)", "[stats]") {
  RunContext run{shm::new_run_id(), ProcessId::self(), ""};
  std::vector<std::string> names;
  for (int a = 0; a < 1024; ++a) names.push_back("actor" + std::to_string(a) + "_inserts");
  {
    StatsWriter w(run, "replay-stats", names);
    for (int a = 0; a < 1024; ++a) w.set(names[a], a);
  }
  auto s = read_stats(run, "replay-stats");
  REQUIRE(s.size() == 1024 + 1);  // and "pid"
  CHECK(s.at("actor1023_inserts") == 1023);
  // A restarted writer may add up to kSpareStats names; past that it gets a clear error.
  names.resize(1024 + StatsWriter::kSpareStats);
  for (std::size_t i = 1024; i < names.size(); ++i) names[i] = "extra" + std::to_string(i);
  { StatsWriter again(run, "replay-stats", names); }
  CHECK(read_stats(run, "replay-stats").size() == names.size() + 1);
  names.push_back("one_too_many");
  CHECK_THROWS_WITH(StatsWriter(run, "replay-stats", names), Catch::Contains("no room for 'one_too_many'"));
  CHECK(read_stats(run, "replay-stats").at("actor7_inserts") == 7);
  CHECK(shm::remove_run(run.run_id) == 1);
}
