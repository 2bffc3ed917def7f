// Exploration across actors: the Ape-X epsilon schedule and the continuous noise scale.
#include <catch2/catch.hpp>

#include <cmath>

#include "actors/exploration.h"

using shmrl::actors::apex_epsilon;

TEST_CASE("Ape-X epsilon_i = base^(1 + alpha i / (N - 1))", "[exploration]") {
  CHECK(apex_epsilon(0, 1, 0.4, 7) == Approx(0.4));  // a single actor uses the base
  CHECK(apex_epsilon(0, 8, 0.4, 7) == Approx(0.4));
  CHECK(apex_epsilon(7, 8, 0.4, 7) == Approx(std::pow(0.4, 8)));   // 6.5536e-4
  CHECK(apex_epsilon(3, 8, 0.4, 7) == Approx(0.0256));             // 0.4^4
  CHECK(apex_epsilon(1, 2, 0.4, 7) == Approx(std::pow(0.4, 8)));
  CHECK(apex_epsilon(1, 3, 0.5, 2) == Approx(0.25));               // 0.5^(1 + 2/2)
  for (int i = 1; i < 16; ++i) CHECK(apex_epsilon(i, 16, 0.4, 7) < apex_epsilon(i - 1, 16, 0.4, 7));
  CHECK(apex_epsilon(5, 16, 0.4, 0) == Approx(0.4));  // alpha 0: everyone at the base
}

TEST_CASE("Ape-X epsilon rejects bad arguments", "[exploration]") {
  CHECK_THROWS_AS(apex_epsilon(2, 2, 0.4, 7), std::invalid_argument);
  CHECK_THROWS_AS(apex_epsilon(-1, 2, 0.4, 7), std::invalid_argument);
  CHECK_THROWS_AS(apex_epsilon(0, 0, 0.4, 7), std::invalid_argument);
  CHECK_THROWS_AS(apex_epsilon(0, 2, 1.5, 7), std::invalid_argument);
  CHECK_THROWS_AS(apex_epsilon(0, 2, 0.4, -1), std::invalid_argument);
}

TEST_CASE("Ape-X epsilons per env: env e of actor a is explorer a * E + e of N * E", "[exploration]") {
  using shmrl::actors::actor_epsilons;
  // 2 actors x 4 envs: 8 distinct epsilons, actor 0 holding the most exploring half.
  auto a0 = actor_epsilons(0, 2, 4, 0.4, 7, true), a1 = actor_epsilons(1, 2, 4, 0.4, 7, true);
  REQUIRE(a0.size() == 4);
  REQUIRE(a1.size() == 4);
  for (int e = 0; e < 4; ++e) {
    CHECK(a0[e] == Approx(apex_epsilon(e, 8, 0.4, 7)));
    CHECK(a1[e] == Approx(apex_epsilon(4 + e, 8, 0.4, 7)));
  }
  CHECK(a0[0] == Approx(0.4));
  CHECK(a1[3] == Approx(std::pow(0.4, 8)));
  // Per actor: every env of an actor shares the actor's epsilon (2 values in all).
  for (double e : actor_epsilons(1, 2, 4, 0.4, 7, false)) CHECK(e == Approx(std::pow(0.4, 8)));
  CHECK(actor_epsilons(0, 1, 3, 0.5, 2, true)[2] == Approx(0.125));  // one actor spreads its envs: 0.5^(1 + 2)
  CHECK_THROWS_AS(actor_epsilons(0, 2, 0, 0.4, 7, true), std::invalid_argument);
}

TEST_CASE("continuous noise scale_i = min_scale^(i / (N - 1))", "[exploration]") {
  using shmrl::actors::noise_scale;
  CHECK(noise_scale(0, 1, 0.1) == 1.0);  // a single actor explores with the full noise
  CHECK(noise_scale(0, 3, 0.25) == Approx(1.0));
  CHECK(noise_scale(1, 3, 0.25) == Approx(0.5));
  CHECK(noise_scale(2, 3, 0.25) == Approx(0.25));
  CHECK(noise_scale(2, 3, 1.0) == Approx(1.0));  // the default: every actor the same
  CHECK_THROWS_WITH(noise_scale(0, 2, 0.0), Catch::Contains("actor.noise_scale_min"));
  CHECK_THROWS_AS(noise_scale(2, 2, 0.5), std::invalid_argument);
}
