// StageClock: laps add each stage's time, the stages of a clock sum to the time it ran, totals
// are published to the stats block and a restarted process's clock continues its predecessor's
// totals.
#include "common/stage_clock.h"

#include <catch2/catch.hpp>
#include <thread>

#include "common/shm/segment.h"

using namespace shmrl;
using namespace std::chrono_literals;

TEST_CASE("stage clock: stages sum to the wall time, parts and totals survive a restart", "[stats][stages]") {
  RunContext run{shm::new_run_id(), ProcessId::self(), ""};
  auto spin = [](std::chrono::microseconds d) {  // busy, so the time is real work, not a sleep
    const auto end = Clock::now() + d;
    while (Clock::now() < end) {
    }
  };
  const auto names = stage_stat_names(stages::kActor);
  CHECK(names.front() == "stage_env_s");
  CHECK(stage_stat_names(stages::kReplaySampler, "sampler1_")[2] == "sampler1_stage_wait_sample_s");
  double first_env = 0;
  {
    StatsWriter stats(run, "actor0-stats", names);
    const auto start = Clock::now();
    StageClock clock(stages::kActor, stats);
    const auto constructed = Clock::now();
    for (int i = 0; i < 20; ++i) {
      spin(300us);
      clock.lap(stages::Actor::Env);
      spin(100us);
      clock.lap(stages::Actor::Inference);
      std::this_thread::sleep_for(200us);
      clock.lap(stages::Actor::RingWait);
    }
    CHECK(clock.seconds(4) == 0);  // weights: not lapped yet
    const auto before_last = Clock::now();
    clock.lap(stages::Actor::Weights);
    const auto end = Clock::now();
    auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
    double sum = 0;
    for (std::size_t i = 0; i < stages::kActor.size(); ++i) sum += clock.seconds(i);
    // The laps cover the whole time from the clock's construction to the last lap: nothing lost,
    // nothing counted twice.
    CHECK(sum <= secs(end - start));
    CHECK(sum >= secs(before_last - constructed));
    CHECK(clock.seconds(0) >= 20 * 300e-6);
    CHECK(clock.seconds(1) >= 20 * 100e-6);
    CHECK(clock.seconds(3) >= 20 * 200e-6);
    CHECK(clock.seconds(2) == 0);  // pack: never lapped
    clock.publish();
    const auto s = read_stats(run, "actor0-stats");
    CHECK(s.at("stage_env_s") == clock.seconds(0));
    CHECK(s.at("stage_ring_wait_s") == clock.seconds(3));
    first_env = clock.seconds(0);
  }
  {
    // A restarted actor: its clock adds to what the previous one published.
    StatsWriter stats(run, "actor0-stats", names);
    StageClock clock(stages::kActor, stats);
    spin(200us);
    const auto before_restart = Clock::now();
    clock.restart();  // start-up is not counted
    spin(300us);
    clock.lap(stages::Actor::Env);
    const auto after_lap = Clock::now();
    clock.publish();
    const auto s = read_stats(run, "actor0-stats");
    CHECK(s.at("stage_env_s") == Approx(first_env + clock.seconds(0)));
    CHECK(clock.seconds(0) >= 300e-6);
    CHECK(clock.seconds(0) <= std::chrono::duration<double>(after_lap - before_restart).count());
  }
  CHECK(shm::remove_run(run.run_id) == 1);
}
