#include <catch2/catch.hpp>

#include <random>

#include "replay/gather.h"
#include "tests/replay/helpers.h"

using namespace shmrl;
using namespace shmrl::replay;

TEST_CASE("gather: the same batch as BatchLayout::set_row, for several observation shapes") {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<TransitionSchema> schemas = {
      test::cartpole_schema(),
      TransitionSchema(Space::box({8}, std::vector<float>(8, -inf), std::vector<float>(8, inf)),
                       Space::discrete(4)),
      TransitionSchema(Space::box({3}, std::vector<float>(3, -1), std::vector<float>(3, 1)),
                       Space::box({1}, {-2}, {2})),
      TransitionSchema(Space::box({4, 5, 5}, std::vector<float>(100, 0), std::vector<float>(100, 255), DType::U8),
                       Space::discrete(6))};
  std::mt19937 rng(5);
  for (const auto& schema : schemas) {
    const std::size_t B = 37;
    BatchLayout layout(schema, B);
    Gatherer g(schema, layout);
    std::vector<std::vector<std::byte>> recs(B, std::vector<std::byte>(schema.record_bytes()));
    std::vector<const std::byte*> ptrs;
    for (auto& r : recs) {
      for (auto& b : r) b = std::byte(rng() & 0xff);
      ptrs.push_back(r.data());
    }
    std::vector<std::byte> want(layout.bytes()), got(layout.bytes());
    for (std::size_t i = 0; i < B; ++i) layout.set_row(want.data(), i, ptrs[i]);
    g.gather(got.data(), ptrs.data(), B);
    for (const auto& f : schema.fields()) {
      const std::size_t off = layout.column_offset(f.name);
      REQUIRE(std::memcmp(want.data() + off, got.data() + off, f.bytes * B) == 0);
    }
  }
}
