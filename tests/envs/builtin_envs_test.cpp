// Properties of every built-in env that the Gymnasium replays do not cover: spaces as Gymnasium
// declares them, reset determinism per seed, the initial-state distributions of Gymnasium's
// ranges, and allocation-free stepping.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "actors/envs/registry.h"

using namespace shmrl;
using namespace shmrl::envs;

// Counts heap allocations made through operator new in this test binary.
static std::atomic<long> g_allocations{0};
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

const char* const kBuiltins[] = {"CartPole-v1", "Acrobot-v1", "MountainCar-v0", "Pendulum-v1",
                                 "LunarLander-v3"};

// A valid action for step t (cycles through a Discrete space, sweeps a Box).
std::vector<std::byte> action_for(const Space& space, int t) {
  std::vector<std::byte> a(space.bytes());
  if (space.kind == Space::Kind::Discrete) {
    const int32_t v = t % space.n;
    std::memcpy(a.data(), &v, 4);
  } else {
    std::vector<float> v(space.numel());
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = space.low[i] + (space.high[i] - space.low[i]) * float((t * 7 + i * 3) % 11) / 10.0f;
    std::memcpy(a.data(), v.data(), a.size());
  }
  return a;
}

std::vector<float> rollout(Env& env, uint64_t seed, int steps) {
  const std::size_t n = env.observation_space().numel();
  std::vector<float> trace(n);
  env.reset(seed, reinterpret_cast<std::byte*>(trace.data()));
  std::vector<float> obs(n);
  for (int t = 0; t < steps; ++t) {
    StepResult r = env.step(action_for(env.action_space(), t).data(),
                            reinterpret_cast<std::byte*>(obs.data()));
    trace.insert(trace.end(), obs.begin(), obs.end());
    trace.push_back(static_cast<float>(r.reward));
    if (r.terminated || r.truncated) break;
  }
  return trace;
}

}  // namespace

TEST_CASE("spaces and time limits are Gymnasium's") {
  struct Expect { const char* id; const char* obs; const char* action; int limit; };
  const Expect expected[] = {
      {"CartPole-v1", "Box([-4.8, -inf, -0.41887903, -inf], [4.8, inf, 0.41887903, inf], (4,), float32)", "Discrete(2)", 500},
      {"Acrobot-v1", "Box([-1.0, -1.0, -1.0, -1.0, -12.566371, -28.274334], [1.0, 1.0, 1.0, 1.0, 12.566371, 28.274334], (6,), float32)", "Discrete(3)", 500},
      {"MountainCar-v0", "Box([-1.2, -0.07], [0.6, 0.07], (2,), float32)", "Discrete(3)", 200},
      {"Pendulum-v1", "Box([-1.0, -1.0, -8.0], [1.0, 1.0, 8.0], (3,), float32)", "Box(-2.0, 2.0, (1,), float32)", 200},
      {"LunarLander-v3", "Box([-2.5, -2.5, -10.0, -10.0, -6.2831855, -10.0, -0.0, -0.0], [2.5, 2.5, 10.0, 10.0, 6.2831855, 10.0, 1.0, 1.0], (8,), float32)", "Discrete(4)", 1000},
  };
  for (const auto& e : expected) {
    auto env = make_env(e.id);
    CHECK(env->observation_space().describe() == e.obs);
    CHECK(env->action_space().describe() == e.action);
    CHECK(env->max_episode_steps() == e.limit);
  }
}

TEST_CASE("reset is deterministic per seed and differs across seeds") {
  for (const char* id : kBuiltins) {
    INFO(id);
    auto a = make_env(id), b = make_env(id);
    const auto first = rollout(*a, 42, 60);
    CHECK(rollout(*b, 42, 60) == first);
    CHECK(rollout(*a, 42, 60) == first);  // the same instance again, after other episodes
    CHECK(rollout(*a, 43, 60) != first);
  }
}

TEST_CASE("initial states cover Gymnasium's ranges") {
  struct Range { const char* id; std::vector<std::pair<double, double>> bounds; };
  const Range ranges[] = {
      {"CartPole-v1", {{-0.05, 0.05}, {-0.05, 0.05}, {-0.05, 0.05}, {-0.05, 0.05}}},
      {"Acrobot-v1", {{-0.1, 0.1}, {-0.1, 0.1}, {-0.1, 0.1}, {-0.1, 0.1}}},
      {"MountainCar-v0", {{-0.6, -0.4}, {0, 0}}},
      {"Pendulum-v1", {{-M_PI, M_PI}, {-1, 1}}},
  };
  for (const auto& range : ranges) {
    INFO(range.id);
    auto env = make_env(range.id);
    std::vector<std::byte> obs(env->observation_space().bytes());
    const std::size_t n = range.bounds.size();
    std::vector<double> lo(n, INFINITY), hi(n, -INFINITY);
    for (uint64_t seed = 0; seed < 500; ++seed) {
      env->reset(seed, obs.data());
      const auto s = env->state();
      REQUIRE(s.size() == n);
      for (std::size_t i = 0; i < n; ++i) lo[i] = std::min(lo[i], s[i]), hi[i] = std::max(hi[i], s[i]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto [a, b] = range.bounds[i];
      CHECK(lo[i] >= a);
      CHECK(hi[i] <= b);
      // 500 uniform draws reach within 2% of the width of both ends.
      CHECK(lo[i] <= a + 0.02 * (b - a));
      CHECK(hi[i] >= b - 0.02 * (b - a));
    }
  }
}

TEST_CASE("LunarLander's own terrain and push give in-bounds starts") {
  auto env = make_env("LunarLander-v3");
  float obs[8];
  for (uint64_t seed = 0; seed < 20; ++seed) {
    env->reset(seed, reinterpret_cast<std::byte*>(obs));
    CHECK(std::fabs(obs[0]) < 0.02f);  // starts centred; the push moves it a little in one step
    CHECK(obs[1] > 1.3f);
    CHECK(obs[1] < 1.5f);
    CHECK(obs[6] == 0.0f);
  }
}

TEST_CASE("classic-control steps do not allocate") {
  for (const char* id : {"CartPole-v1", "Acrobot-v1", "MountainCar-v0", "Pendulum-v1"}) {
    INFO(id);
    auto env = make_env(id);
    const auto action = action_for(env->action_space(), 1);
    std::vector<std::byte> obs(env->observation_space().bytes());
    env->reset(1, obs.data());
    const long before = g_allocations.load();
    for (int t = 0; t < 1000; ++t) {
      StepResult r = env->step(action.data(), obs.data());
      if (r.terminated || r.truncated) env->reset(t, obs.data());
    }
    CHECK(g_allocations.load() == before);
  }
}
