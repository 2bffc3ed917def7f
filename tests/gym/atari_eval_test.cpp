// The Atari evaluation protocol: the envs greedy evaluation steps (make_vector_env(..., evaluation))
// play whole games with true returns, where training's envs end an episode at each life loss. Same
// seed and actions: both see the same game until the first life is lost; the training episode ends
// there, the evaluation episode goes on to the last life; a new evaluation (a reset of every env)
// replays its seeds exactly.
#include <catch2/catch.hpp>

#include <random>

#include "actors/vector_envs.h"
#include "tests/skip.h"

using namespace shmrl;

namespace {
struct Episode {
  int length = 0;
  double ret = 0;
};

// Plays one Breakout episode from `seed` with actions from `rng_seed` (at most max_steps).
Episode play(envs::VectorEnv& env, uint64_t seed, unsigned rng_seed, int max_steps) {
  std::vector<uint8_t> obs(env.observation_space().numel());
  uint8_t mask = 1;
  env.reset(&mask, &seed, reinterpret_cast<std::byte*>(obs.data()));
  std::mt19937 rng(rng_seed);
  Episode ep;
  for (; ep.length < max_steps;) {
    const int32_t a = static_cast<int32_t>(rng() % 4);
    envs::StepResult r;
    env.step(reinterpret_cast<const std::byte*>(&a), reinterpret_cast<std::byte*>(obs.data()), &r);
    ++ep.length;
    ep.ret += r.reward;
    if (r.terminated || r.truncated) break;
  }
  return ep;
}
}  // namespace

TEST_CASE("an evaluation episode of an ALE id spans every life and sees true returns", "[gym][atari]") {
  if (!actors::have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge");
  auto train = actors::make_vector_env("gym:ALE/Breakout-v5", {}, "", 1);
  auto eval = actors::make_vector_env("gym:ALE/Breakout-v5", {}, "", 1, /*evaluation=*/true);
  const Episode life = play(*train, 11, 3, 5000);
  const Episode game = play(*eval, 11, 3, 5000);
  INFO("training episode " << life.length << " steps, evaluation episode " << game.length << " steps");
  REQUIRE(life.length < 5000);  // ended by the first life loss
  // Breakout has 5 lives: the whole game is several times longer than its first life.
  CHECK(game.length > 2 * life.length);
  CHECK(game.length < 5000);  // and it ends: the last life lost
  CHECK(game.ret >= life.ret);
  // A reset of every env starts a new evaluation from its seeds: the same game again.
  const Episode again = play(*eval, 11, 3, 5000);
  CHECK(again.length == game.length);
  CHECK(again.ret == game.ret);
}
