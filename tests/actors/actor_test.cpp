// The actor loop in this process: version tagging after a weight-board update, back-pressure from a
// full ring (waits, never drops, stops on request), bad environment output, unknown env ids.
#include <torch/torch.h>
// c10 defines a glog-style CHECK macro; undefine it so Catch's CHECK is the one used here.
#undef CHECK
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <thread>

#include "actors/actor.h"
#include "actors/envs/registry.h"
#include "common/shm/weight_board.h"
#include "common/stats.h"
#include "models/actor_net.h"
#include "models/qnet.h"
#include "models/weights_blob.h"
#include "tests/actors/actor_test_util.h"
#include "tests/common/shm_test_util.h"

using namespace shmrl;
using namespace shmrl::actors;
using namespace shmrl::models;
using namespace std::chrono_literals;

namespace {

// One float observation = steps taken; reward 1. Goes bad (NaN observation or infinite reward) on
// step `bad_at`. Never terminates by itself.
class BadEnv : public envs::Env {
 public:
  BadEnv(bool bad_obs, int bad_at) : bad_obs_(bad_obs), bad_at_(bad_at) {}
  const Space& observation_space() const override { return obs_; }
  const Space& action_space() const override { return act_; }
  int max_episode_steps() const override { return 0; }
  void reset(uint64_t, std::byte* obs) override { t_ = 0, write(obs, 0.f); }
  envs::StepResult step(const void*, std::byte* obs) override {
    ++t_;
    const bool bad = t_ == bad_at_;
    write(obs, bad && bad_obs_ ? NAN : float(t_));
    return {bad && !bad_obs_ ? INFINITY : 1.0, false, false};
  }
  std::vector<double> state() const override { return {double(t_)}; }
  void set_state(std::span<const double> s, std::byte* obs) override {
    t_ = int(s[0]), write(obs, float(t_));
  }

 private:
  static void write(std::byte* obs, float v) { std::memcpy(obs, &v, 4); }
  Space obs_ = Space::box({1}, {-1e9f}, {1e9f});
  Space act_ = Space::discrete(2);
  bool bad_obs_;
  int bad_at_;
  int t_ = 0;
};

const envs::EnvRegistrar<> kNanObs("NanObs-test-v0", [](const envs::EnvKwargs&) {
  return std::make_unique<BadEnv>(true, 5);
});
const envs::EnvRegistrar<> kInfReward("InfReward-test-v0", [](const envs::EnvKwargs&) {
  return std::make_unique<BadEnv>(false, 3);
});

ActorOptions small_options() { return test::small_actor_options(); }

std::vector<std::vector<std::byte>> drain(const RunContext& run, int actor_id) {
  return test::drain_actor_ring(run, actor_id);
}

}  // namespace

TEST_CASE("records after a weight update carry the new version and use the new weights",
          "[actor]") {
  test::RunGuard guard;
  const RunContext run{guard.id, ProcessId::self(), ""};
  const ActorOptions o = small_options();
  std::atomic<bool> stop{false};
  Actor actor(o, run, stop);
  CHECK(actor.weight_version() == 0);  // no board yet: initial random weights

  QNet net(QNetOptions{4, 2, {8}, false});
  {
    torch::NoGradGuard ng;
    for (auto& p : net->parameters()) p.zero_();
    net->head()->bias[1] = 1.0f;  // greedy action 1 in every state
  }
  const auto blob = save_weights_blob(*net);
  auto seg = shm::Segment::create(run.run_id, seg::weights(),
                                  shm::WeightBoard::bytes_needed(blob.size()));
  auto board = shm::WeightBoard::create(seg.data(), seg.size(), blob.size());

  for (int i = 0; i < 3; ++i) actor.step();
  board.publish(blob.data(), blob.size(), 7);
  actor.step();  // actions chosen before this step's weight check: still version 0
  CHECK(actor.weight_version() == 7);
  actor.step();
  actor.step();
  actor.writer().flush();

  const auto records = drain(run, 0);
  REQUIRE(records.size() == 12);  // n = 1: one record per env step, 2 envs x 6 steps
  for (std::size_t i = 0; i < records.size(); ++i) {
    const TransitionRef t = actor.schema().unpack(records[i].data());
    int32_t action;
    std::memcpy(&action, t.action, 4);
    INFO("record " << i);
    CHECK(t.actor_id == 0u);
    CHECK(t.policy_version == (i < 8 ? 0u : 7u));
    if (i >= 8) CHECK(action == 1);
  }
  const auto stats = read_stats(run, seg::actor_stats(0));
  CHECK(stats.at(stat::kWeightVersion) == 7);
  CHECK(stats.at(stat::kEnvSteps) == 12);
  CHECK(stats.at(stat::kRecords) == 12);
}

TEST_CASE("actor.initial_priority = actor puts priorities in the ring, max leaves them to the replay",
          "[actor]") {
  for (const std::string mode : {"actor", "max"}) {
    test::RunGuard guard;
    const RunContext run{guard.id, ProcessId::self(), ""};
    ActorOptions o = small_options();
    o.initial_priority = mode;
    o.priority_epsilon = 0.5;
    std::atomic<bool> stop{false};
    Actor actor(o, run, stop);
    for (int i = 0; i < 10; ++i) actor.step();
    actor.writer().flush();
    const auto records = drain(run, 0);
    REQUIRE(records.size() == 20);
    for (const auto& rec : records) {
      const float p = actor.schema().unpack(rec.data()).initial_priority;
      INFO(mode);
      if (mode == "actor") {
        CHECK(p >= 0.5f);  // |TD error| + priority_epsilon
        CHECK(std::isfinite(p));
      } else {
        CHECK(p == 0.0f);  // "use the running max"
      }
    }
  }
  // SAC and TD3 policies have no Q-values to estimate with: refused.
  test::RunGuard guard;
  ActorOptions o = small_options();
  o.env_id = "Pendulum-v1";
  o.initial_priority = "actor";
  std::atomic<bool> stop{false};
  CHECK_THROWS_WITH(Actor(o, RunContext{guard.id, ProcessId::self(), ""}, stop),
                    Catch::Contains("actor.initial_priority"));
}

TEST_CASE("a full ring blocks the actor without dropping, and stop ends the wait", "[actor]") {
  test::RunGuard guard;
  const RunContext run{guard.id, ProcessId::self(), ""};
  ActorOptions o = small_options();
  o.ring_capacity = 8;
  o.push_batch = 2;
  std::atomic<bool> stop{false};
  Actor actor(o, run, stop);
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    stop = true;
  });
  const auto start = Clock::now();
  actor.run();  // no consumer: fills 8 slots, then waits until stopped
  stopper.join();
  CHECK(Clock::now() - start >= 250ms);
  CHECK(actor.writer().committed() == 8);
  CHECK(read_stats(run, seg::actor_stats(0)).at(stat::kBlockedSeconds) > 0.2);
  CHECK(drain(run, 0).size() == 8);
}

TEST_CASE("non-finite env output is refused and counted, never stored, and the env is reset",
          "[actor]") {
  test::RunGuard guard;
  const RunContext run{guard.id, ProcessId::self(), ""};
  ActorOptions o = small_options();
  o.envs_per_actor = 1;
  std::atomic<bool> stop{false};

  o.env_id = "NanObs-test-v0";  // NaN on the 5th step of every episode
  Actor nan_actor(o, run, stop);
  for (int i = 0; i < 10; ++i) nan_actor.step();
  CHECK(nan_actor.refused_steps() == 2);  // vector steps 5 and 10
  nan_actor.writer().flush();
  const auto records = drain(run, 0);
  REQUIRE(records.size() == 8);  // episode steps 1..4 of both episodes, not the bad 5th
  for (std::size_t i = 0; i < records.size(); ++i) {
    float next;
    std::memcpy(&next, nan_actor.schema().unpack(records[i].data()).next_obs, 4);
    CHECK(next == float(i % 4 + 1));
  }
  CHECK(read_stats(run, seg::actor_stats(0)).at(stat::kRefused) == 2);

  o.env_id = "InfReward-test-v0";  // an infinite reward on the 3rd step of every episode
  o.actor_id = 1;
  o.num_actors = 2;
  Actor inf_actor(o, run, stop);
  for (int i = 0; i < 6; ++i) inf_actor.step();
  CHECK(inf_actor.refused_steps() == 2);
  inf_actor.writer().flush();
  CHECK(drain(run, 1).size() == 4);
}

TEST_CASE("a continuous-action env runs through the SAC and the TD3 policy", "[actor]") {
  const std::string algorithm = GENERATE(as<std::string>{}, "sac", "td3");
  INFO(algorithm);
  test::RunGuard guard;
  const RunContext run{guard.id, ProcessId::self(), ""};
  ActorOptions o = small_options();
  o.env_id = "Pendulum-v1";
  o.algorithm = algorithm;
  o.envs_per_actor = 4;
  o.n_step = 3;
  o.noise_std = 0.3;
  std::atomic<bool> stop{false};
  Actor actor(o, run, stop);
  for (int i = 0; i < 25; ++i) actor.step();
  actor.writer().flush();
  const auto records = drain(run, 0);
  CHECK(records.size() == 4 * (25 - 2));  // Pendulum never ends in 25 steps: n - 1 pending per env
  for (const auto& r : records) {
    const TransitionRef t = actor.schema().unpack(r.data());
    float a;
    std::memcpy(&a, t.action, 4);
    CHECK((a >= -2.f && a <= 2.f));
    CHECK(t.discount == Approx(0.99 * 0.99 * 0.99));
  }
}

TEST_CASE("an action outside the space is an error naming env, index and step", "[actor]") {
  test::RunGuard guard;
  const RunContext run{guard.id, ProcessId::self(), ""};
  ActorOptions o = small_options();
  o.env_id = "Pendulum-v1";
  o.algorithm = "td3";
  std::atomic<bool> stop{false};
  Actor actor(o, run, stop);
  // Weights full of NaN make the actor network's action NaN, which no Box contains.
  DeterministicActorNet net(ActorNetOptions{3, {-2.f}, {2.f}, {8}});
  {
    torch::NoGradGuard ng;
    for (auto& p : net->parameters()) p.fill_(NAN);
  }
  const auto blob = save_weights_blob(*net);
  auto seg = shm::Segment::create(run.run_id, seg::weights(),
                                  shm::WeightBoard::bytes_needed(blob.size()));
  auto board = shm::WeightBoard::create(seg.data(), seg.size(), blob.size());
  actor.step();
  board.publish(blob.data(), blob.size(), 2);
  actor.step();  // loads version 2 at its end
  CHECK_THROWS_WITH(actor.step(), Catch::Contains("Pendulum-v1") && Catch::Contains("env index 0") &&
                                      Catch::Contains("episode step 3") &&
                                      Catch::Contains("action [nan] is outside Box"));
}

TEST_CASE("an unknown env id is refused before any segment exists", "[actor]") {
  test::RunGuard guard;
  const RunContext run{guard.id, ProcessId::self(), ""};
  ActorOptions o = small_options();
  o.env_id = "NoSuchEnv-v9";
  std::atomic<bool> stop{false};
  CHECK_THROWS_WITH(Actor(o, run, stop), Catch::Contains("NoSuchEnv-v9"));
  CHECK(shm::list_segments(run.run_id).empty());
}
