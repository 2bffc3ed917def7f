#include <catch2/catch.hpp>

#include <limits>
#include <random>
#include <vector>

#include "replay/selectors/sum_tree.h"

using shmrl::replay::SumMinTree;

TEST_CASE("sum tree: totals, minimum and prefix-sum search agree with a brute-force model") {
  std::mt19937_64 rng(7);
  for (std::size_t cap : {1u, 2u, 5u, 8u, 9u, 64u, 1000u, 5000u}) {
    SumMinTree tree(cap);
    std::vector<double> model(cap, 0.0);
    std::uniform_real_distribution<double> val(0.0, 3.0);
    for (int round = 0; round < 50; ++round) {
      // A range set, then a few single sets (some to zero).
      const std::size_t first = rng() % cap, n = 1 + rng() % (cap - first);
      std::vector<double> vals(n);
      for (auto& v : vals) v = (rng() % 5 == 0) ? 0.0 : val(rng);
      tree.set_range(first, vals.data(), n);
      std::copy(vals.begin(), vals.end(), model.begin() + first);
      for (int k = 0; k < 3; ++k) {
        const std::size_t i = rng() % cap;
        model[i] = (rng() % 3 == 0) ? 0.0 : val(rng);
        tree.set(i, model[i]);
      }
      // Scattered leaves, more than one group of paths, repeats included.
      std::vector<uint32_t> many(150);
      std::vector<double> lv(many.size());
      for (std::size_t k = 0; k < many.size(); ++k) {
        many[k] = static_cast<uint32_t>(rng() % cap);
        lv[k] = (rng() % 4 == 0) ? 0.0 : val(rng);
        model[many[k]] = lv[k];
      }
      tree.set_many(many.data(), lv.data(), many.size());
      REQUIRE(tree.consistent());
      double total = 0, mn = std::numeric_limits<double>::infinity();
      for (double v : model) {
        total += v;
        if (v > 0) mn = std::min(mn, v);
      }
      REQUIRE(tree.total() == Approx(total).margin(1e-9));
      REQUIRE(tree.min_positive() == mn);
      if (!(tree.total() > 0)) continue;
      std::vector<double> u(200);
      std::uniform_real_distribution<double> du(0.0, tree.total());
      for (auto& x : u) x = du(rng);
      u.back() = tree.total();  // the edge: lands on the last positive leaf
      std::vector<uint32_t> leaves(u.size());
      tree.find(u.data(), u.size(), leaves.data());
      for (std::size_t j = 0; j < u.size(); ++j) {
        const uint32_t leaf = leaves[j];
        REQUIRE(leaf < cap);
        REQUIRE(model[leaf] > 0);  // never a zero leaf
        double before = 0;
        for (uint32_t i = 0; i < leaf; ++i) before += model[i];
        if (j + 1 < u.size()) {
          REQUIRE(u[j] >= before - 1e-9);
          REQUIRE(u[j] < before + model[leaf] + 1e-9);
        }
      }
    }
  }
}

TEST_CASE("sum tree: rejects a zero or oversized capacity") {
  REQUIRE_THROWS_AS(SumMinTree(0), std::invalid_argument);
  REQUIRE_THROWS_AS(SumMinTree((std::size_t{1} << 31) + 1), std::invalid_argument);
}
