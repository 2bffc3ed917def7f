// common/spaces.cpp: construction checks, bounds checks of actions, descriptions, sizes.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "common/spaces.h"

using shmrl::DType;
using shmrl::Space;

TEST_CASE("Discrete spaces") {
  const Space s = Space::discrete(3);
  CHECK(s.numel() == 1);
  CHECK(s.bytes() == 4);
  CHECK(s.dtype == DType::I32);
  CHECK(s.describe() == "Discrete(3)");
  for (int32_t a : {0, 1, 2}) CHECK(s.contains_action(&a));
  for (int32_t a : {-1, 3, INT32_MAX}) CHECK_FALSE(s.contains_action(&a));
  CHECK_THROWS_AS(Space::discrete(0), std::invalid_argument);
}

TEST_CASE("Box spaces") {
  const float inf = std::numeric_limits<float>::infinity();
  const Space s = Space::box({2}, {-1, -2}, {1, inf});
  CHECK(s.numel() == 2);
  CHECK(s.bytes() == 8);
  CHECK(s.describe() == "Box([-1.0, -2.0], [1.0, inf], (2,), float32)");
  CHECK(Space::box({1}, {-2}, {2}).describe() == "Box(-2.0, 2.0, (1,), float32)");
  CHECK(Space::box({2, 3}, std::vector<float>(6, 0.5f), std::vector<float>(6, 1.5f)).describe() ==
        "Box(0.5, 1.5, (2, 3), float32)");
  float ok[2] = {1.0f, 1e30f}, low[2] = {-1.01f, 0}, nan[2] = {NAN, 0};
  CHECK(s.contains_action(ok));
  CHECK_FALSE(s.contains_action(low));
  CHECK_FALSE(s.contains_action(nan));

  const Space ints = Space::box({2}, {0, 0}, {255, 255}, DType::U8);
  CHECK(ints.bytes() == 2);
  uint8_t px[2] = {0, 255};
  CHECK(ints.contains_action(px));
}

TEST_CASE("Box construction is validated") {
  CHECK_THROWS_AS(Space::box({2}, {0}, {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(Space::box({1}, {1}, {0}), std::invalid_argument);
  CHECK_THROWS_AS(Space::box({1}, {NAN}, {0}), std::invalid_argument);
  CHECK_THROWS_AS(Space::box({0}, {}, {}), std::invalid_argument);
}
