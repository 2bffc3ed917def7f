#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "common/schema.h"

using namespace shmrl;

namespace {
Space cartpole_obs() {
  return Space::box({4}, {-4.8f, -1e30f, -0.42f, -1e30f}, {4.8f, 1e30f, 0.42f, 1e30f});
}
}  // namespace

TEST_CASE("schema: fields are named, aligned and sized from the spaces", "[schema]") {
  TransitionSchema s(cartpole_obs(), Space::discrete(2));
  REQUIRE(s.field("obs").bytes == 16);
  REQUIRE(s.field("next_obs").bytes == 16);
  REQUIRE(s.field("action").dtype == DType::I32);
  REQUIRE(s.field("policy_version").dtype == DType::U64);
  REQUIRE(s.record_bytes() % 8 == 0);
  std::size_t sum = 0;
  for (const auto& f : s.fields()) {
    CHECK(f.offset % dtype_size(f.dtype) == 0);
    CHECK(f.offset + f.bytes <= s.record_bytes());
    sum += f.bytes;
  }
  CHECK(s.record_bytes() < sum + 8);  // no padding beyond the final alignment
  REQUIRE_THROWS_WITH(s.field("nope"), Catch::Contains("nope"));
}

TEST_CASE("schema: pack then unpack returns every field", "[schema]") {
  TransitionSchema s(Space::box({3}, {-2, -2, -2}, {2, 2, 2}), Space::box({2}, {-1, -1}, {1, 1}));
  const float obs[3] = {1.5f, -0.25f, 3.0f}, next[3] = {-1.0f, 0.5f, 2.0f}, act[2] = {0.75f, -0.5f};
  TransitionRef t{reinterpret_cast<const std::byte*>(obs), reinterpret_cast<const std::byte*>(act), 1.25f, 0.97f,
                  reinterpret_cast<const std::byte*>(next), 0.5f, 1234567890123ull, 42};
  std::vector<std::byte> rec(s.record_bytes(), std::byte{0xAB});
  s.pack(t, rec.data());
  const TransitionRef u = s.unpack(rec.data());
  CHECK(std::memcmp(u.obs, obs, sizeof(obs)) == 0);
  CHECK(std::memcmp(u.next_obs, next, sizeof(next)) == 0);
  CHECK(std::memcmp(u.action, act, sizeof(act)) == 0);
  CHECK(u.reward == 1.25f);
  CHECK(u.discount == 0.97f);
  CHECK(u.initial_priority == 0.5f);
  CHECK(u.policy_version == 1234567890123ull);
  CHECK(u.actor_id == 42);
}

TEST_CASE("schema: fingerprint tells layouts apart", "[schema]") {
  TransitionSchema a(cartpole_obs(), Space::discrete(2));
  TransitionSchema b(cartpole_obs(), Space::discrete(3));  // same layout, other action count
  TransitionSchema c(Space::box({6}, std::vector<float>(6, -1), std::vector<float>(6, 1)), Space::discrete(2));
  CHECK(a.fingerprint() == b.fingerprint());
  CHECK(a.fingerprint() != c.fingerprint());
}

TEST_CASE("batch layout: rows land in 64-byte aligned columns", "[schema]") {
  TransitionSchema s(cartpole_obs(), Space::discrete(2));
  BatchLayout layout(s, 5);
  std::vector<std::byte> batch(layout.bytes());
  for (int row = 0; row < 5; ++row) {
    const float obs[4] = {float(row), 1, 2, 3}, next[4] = {float(-row), 0, 0, 0};
    const int32_t action = row % 2;
    TransitionRef t{reinterpret_cast<const std::byte*>(obs), reinterpret_cast<const std::byte*>(&action),
                    float(row) * 0.5f, 0.9f, reinterpret_cast<const std::byte*>(next), 1.0f, uint64_t(row), 7};
    std::vector<std::byte> rec(s.record_bytes());
    s.pack(t, rec.data());
    layout.set_row(batch.data(), row, rec.data());
  }
  for (const auto& f : s.fields()) CHECK(layout.column_offset(f.name) % 64 == 0);
  const auto* obs = reinterpret_cast<const float*>(batch.data() + layout.column_offset("obs"));
  const auto* act = reinterpret_cast<const int32_t*>(batch.data() + layout.column_offset("action"));
  const auto* rew = reinterpret_cast<const float*>(batch.data() + layout.column_offset("reward"));
  const auto* ver = reinterpret_cast<const uint64_t*>(batch.data() + layout.column_offset("policy_version"));
  for (int row = 0; row < 5; ++row) {
    CHECK(obs[row * 4] == float(row));
    CHECK(obs[row * 4 + 3] == 3.0f);
    CHECK(act[row] == row % 2);
    CHECK(rew[row] == float(row) * 0.5f);
    CHECK(ver[row] == uint64_t(row));
  }
  REQUIRE_THROWS_AS(BatchLayout(s, 0), std::invalid_argument);
}
