// The bottleneck verdict on contrived stage fractions: each kind of bound, the fractions it names
// and the knob it suggests; and stage fractions computed from stats snapshots.
#include "launch/verdict.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>

#include "common/stage_clock.h"
#include "launch/metrics.h"

using namespace shmrl::launch;

namespace {
// Fractions in stage order per group: actor {env, inference, pack, ring_wait, weights}, writer
// {drain, insert, priorities, wait_insert, idle}, sampler {sample, write_slots, wait_sample,
// wait_slot, priorities}, learner {batch_wait, forward_backward, all_reduce, optimizer, priorities,
// publish, checkpoint}.
StageFractions make(std::vector<double> actor, std::vector<double> writer, std::vector<double> sampler,
                    std::vector<double> learner) {
  StageFractions f;
  f.interval_s = 5;
  f.f = {actor, writer, sampler, learner};
  return f;
}
}  // namespace

TEST_CASE("verdict: each bound from the fractions that justify it, with its knob", "[verdict]") {
  SECTION("learner-bound: learners busy, actors wait on full rings the limiter holds") {
    auto v = bottleneck(make({0.2, 0.1, 0.05, 0.61, 0.04}, {0.05, 0.05, 0.05, 0.8, 0.05},
                             {0.1, 0.1, 0.0, 0.75, 0.05}, {0.03, 0.6, 0, 0.25, 0.05, 0.05, 0.02}),
                        0.97);
    CHECK(v.bound == "learner-bound");
    CHECK_THAT(v.reason, Catch::Contains("learners busy 97 %") && Catch::Contains("actors wait 61 % on full rings"));
    CHECK_THAT(v.knob, Catch::Contains("run.learners") && Catch::Contains("learner.batch_size"));
    CHECK_THAT(v.text(), Catch::StartsWith("learner-bound: learners busy 97 %"));
  }
  SECTION("env-bound: learners wait for batches, the limiter holds samples, actors step envs") {
    auto v = bottleneck(make({0.8, 0.1, 0.08, 0.0, 0.02}, {0.1, 0.1, 0.0, 0.0, 0.8}, {0.05, 0.05, 0.85, 0.0, 0.05},
                             {0.7, 0.2, 0, 0.05, 0.03, 0.01, 0.01}),
                        0.02);
    CHECK(v.bound == "env-bound");
    CHECK_THAT(v.reason, Catch::Contains("learners wait 70 % for batches") && Catch::Contains("env 80 %"));
    CHECK_THAT(v.knob, Catch::Contains("run.actors"));
  }
  SECTION("inference-bound: as env-bound, but the policy forward dominates") {
    auto v = bottleneck(make({0.2, 0.7, 0.08, 0.0, 0.02}, {0.1, 0.1, 0.0, 0.0, 0.8}, {0.05, 0.05, 0.85, 0.0, 0.05},
                             {0.7, 0.2, 0, 0.05, 0.03, 0.01, 0.01}),
                        0.02);
    CHECK(v.bound == "inference-bound");
    CHECK_THAT(v.knob, Catch::Contains("actor.envs_per_actor"));
  }
  SECTION("transport-bound: the replay writer spends its time reading rings while actors wait") {
    auto v = bottleneck(make({0.1, 0.05, 0.05, 0.78, 0.02}, {0.7, 0.2, 0.05, 0.0, 0.05},
                             {0.1, 0.1, 0.1, 0.65, 0.05}, {0.05, 0.6, 0, 0.25, 0.05, 0.04, 0.01}),
                        0.99);
    CHECK(v.bound == "transport-bound");
    CHECK_THAT(v.reason, Catch::Contains("reading rings 70 %"));
  }
  SECTION("replay-bound: learners wait while the samplers are saturated sampling") {
    auto v = bottleneck(make({0.5, 0.2, 0.1, 0.15, 0.05}, {0.2, 0.2, 0.1, 0.1, 0.4}, {0.8, 0.1, 0.05, 0.0, 0.05},
                             {0.6, 0.3, 0, 0.05, 0.03, 0.01, 0.01}),
                        0.3);
    CHECK(v.bound == "replay-bound");
    CHECK_THAT(v.reason, Catch::Contains("sampling 80 %"));
    CHECK_THAT(v.knob, Catch::Contains("replay.selector"));
  }
  SECTION("rate-limited: the limiter holds inserts while learners wait for batches too") {
    auto v = bottleneck(make({0.3, 0.1, 0.05, 0.5, 0.05}, {0.05, 0.05, 0.05, 0.8, 0.05}, {0.1, 0.1, 0.4, 0.35, 0.05},
                             {0.5, 0.3, 0, 0.15, 0.03, 0.01, 0.01}),
                        0.9);
    CHECK(v.bound == "rate-limited");
    CHECK_THAT(v.knob, Catch::Contains("replay.error_buffer") && Catch::Contains("replay.samples_per_insert"));
  }
  SECTION("no verdict before both actors and learners have figures") {
    StageFractions f;
    f.f[0] = {0.9, 0.05, 0.05, 0, 0};
    CHECK(bottleneck(f, 0).bound.empty());
    CHECK(bottleneck(f, 0).text().empty());
  }
}

TEST_CASE("stage fractions: deltas of published seconds over the launcher's wall time", "[verdict][metrics]") {
  auto actor = [](double env, double inf, double pack, double wait, double weights) {
    return StatMap{{"stage_env_s", env},
                   {"stage_inference_s", inf},
                   {"stage_pack_s", pack},
                   {"stage_ring_wait_s", wait},
                   {"stage_weights_s", weights}};
  };
  StatsSnapshot a, b;
  a.wall_s = 10;
  b.wall_s = 12;
  a.actors = {actor(1, 1, 1, 1, 1), actor(0, 0, 0, 0, 0), {}};
  b.actors = {actor(2.6, 1.2, 1.1, 1, 1.1), actor(1.0, 1.0, 0, 0, 0), actor(5, 0, 0, 0, 0)};
  const auto f = stage_fractions(stage_totals(a), stage_totals(b));
  CHECK(f.interval_s == 2);
  REQUIRE(f.has(StageGroup::Actor));
  CHECK_FALSE(f.has(StageGroup::Learner));  // no learner published
  // Actor 2 had not published at the start: only actors 0 and 1 count.
  CHECK(f.of(StageGroup::Actor, shmrl::stages::Actor::Env) == Approx((0.8 + 0.5) / 2));
  CHECK(f.of(StageGroup::Actor, shmrl::stages::Actor::Inference) == Approx((0.1 + 0.5) / 2));
  CHECK(f.accounted(StageGroup::Actor) == Approx(1.0));
  const auto cols = stage_columns();
  const auto vals = stage_values(f);
  REQUIRE(cols.size() == vals.size());
  CHECK(cols[0] == "actor_env");
  CHECK(vals[0] == Approx(0.65));
  CHECK(std::isnan(vals[std::find(cols.begin(), cols.end(), "learner_batch_wait") - cols.begin()]));
  CHECK(vals[std::find(cols.begin(), cols.end(), "actor_accounted") - cols.begin()] == Approx(1.0));
}
