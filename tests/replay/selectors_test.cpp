#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "replay/selectors/prioritized.h"
#include "replay/selectors/uniform.h"

using namespace shmrl::replay;

namespace {
// Pearson's chi-square of observed counts against expected probabilities.
double chi_square(const std::vector<double>& counts, const std::vector<double>& probs) {
  double total = 0, chi = 0;
  for (double c : counts) total += c;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double e = total * probs[i];
    chi += (counts[i] - e) * (counts[i] - e) / e;
  }
  return chi;
}
}  // namespace

TEST_CASE("prioritized: draw frequencies match priority^alpha / sum (chi-square, fixed seed)") {
  const std::size_t cap = 16;
  const double alpha = 0.6;
  PrioritizedSelector sel(cap, alpha);
  // 40 items through 16 slots: keys 24..39 remain, written across the wrap of the slot array.
  std::vector<float> p(40);
  for (std::size_t k = 0; k < p.size(); ++k) p[k] = 0.1f + 0.3f * float(k % 16);
  sel.insert(0, p.data(), 16);
  sel.insert(16, p.data() + 16, 10);
  sel.insert(26, p.data() + 26, 14);
  const uint64_t begin = 24, end = 40;
  std::vector<double> probs(16);
  double z = 0;
  for (uint64_t k = begin; k < end; ++k) z += std::pow(double(p[k]), alpha);
  for (uint64_t k = begin; k < end; ++k) probs[k - begin] = std::pow(double(p[k]), alpha) / z;

  std::mt19937_64 rng(12345);
  std::vector<double> counts(16, 0.0);
  std::vector<uint64_t> keys(256);
  std::vector<float> w(256);
  for (int b = 0; b < 800; ++b) {  // 204,800 draws
    sel.sample(begin, end, keys.size(), 0.5, rng, keys.data(), w.data());
    for (uint64_t k : keys) {
      REQUIRE(k >= begin);
      REQUIRE(k < end);
      counts[k - begin] += 1;
    }
  }
  // 15 degrees of freedom: P(chi2 > 37.70) = 0.001.
  CHECK(chi_square(counts, probs) < 37.70);
}

TEST_CASE("prioritized: importance weights are (N*P)^-beta / max and zero priorities are never drawn") {
  const std::size_t cap = 10;
  PrioritizedSelector sel(cap, 0.7);
  const std::vector<float> p = {0.5f, 2.0f, 0.0f, 1.0f, 4.0f, 0.25f, 3.0f, 0.0f, 1.5f, 0.75f};
  sel.insert(100, p.data(), p.size());  // keys 100..109
  const double beta = 0.4, N = 10;
  // Reference straight from the definition, over all stored items with P > 0.
  double z = 0;
  for (float x : p) z += std::pow(double(x), 0.7);
  double wmax = 0;
  for (float x : p)
    if (x > 0) wmax = std::max(wmax, std::pow(N * std::pow(double(x), 0.7) / z, -beta));
  std::mt19937_64 rng(3);
  std::vector<uint64_t> keys(512);
  std::vector<float> w(512);
  sel.sample(100, 110, keys.size(), beta, rng, keys.data(), w.data());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const double pi = p[keys[i] - 100];
    REQUIRE(pi > 0);
    const double want = std::pow(N * std::pow(pi, 0.7) / z, -beta) / wmax;
    REQUIRE(w[i] == Approx(want).epsilon(1e-5));
    REQUIRE(w[i] <= 1.0f);
  }
  // An update changes the distribution: only key 104 left positive.
  std::vector<uint64_t> upd_keys;
  std::vector<float> upd_p;
  for (uint64_t k = 100; k < 110; ++k) {
    upd_keys.push_back(k);
    upd_p.push_back(k == 104 ? 1.0f : 0.0f);
  }
  upd_keys.push_back(100);  // a repeated key: the last value wins
  upd_p.push_back(0.0f);
  sel.update(upd_keys.data(), upd_p.data(), upd_keys.size());
  sel.sample(100, 110, keys.size(), beta, rng, keys.data(), w.data());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    REQUIRE(keys[i] == 104);
    REQUIRE(w[i] == 1.0f);
  }
  REQUIRE(sel.tree().consistent());
}

TEST_CASE("prioritized: rebuild from slot priorities equals incremental inserts") {
  const std::size_t cap = 37;
  PrioritizedSelector a(cap, 0.6), b(cap, 0.6);
  std::vector<float> slot_p(cap, 0.f);
  std::mt19937_64 rng(9);
  std::vector<float> p(100);
  for (auto& x : p) x = float(rng() % 1000) / 100.0f;
  a.insert(0, p.data(), 37);
  a.insert(37, p.data() + 37, 37);
  a.insert(74, p.data() + 74, 26);  // stored: keys 63..99
  for (uint64_t k = 63; k < 100; ++k) slot_p[k % cap] = p[k];
  b.rebuild(63, 100, slot_p.data());
  for (std::size_t s = 0; s < cap; ++s) REQUIRE(a.tree().leaf(s) == b.tree().leaf(s));
  REQUIRE(a.tree().total() == Approx(b.tree().total()));
  // A partially filled storage: the slots outside [begin, end) must be empty.
  b.rebuild(63, 80, slot_p.data());
  for (uint64_t k = 80; k < 100; ++k) REQUIRE(b.tree().leaf(k % cap) == 0.0);
  REQUIRE(b.tree().consistent());
}

TEST_CASE("uniform: every stored key equally likely, weights 1 (chi-square)") {
  UniformSelector sel;
  std::mt19937_64 rng(99);
  const uint64_t begin = 1000, end = 1064;
  std::vector<double> counts(64, 0.0), probs(64, 1.0 / 64);
  std::vector<uint64_t> keys(256);
  std::vector<float> w(256);
  for (int b = 0; b < 1000; ++b) {
    sel.sample(begin, end, keys.size(), 0.4, rng, keys.data(), w.data());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      REQUIRE(keys[i] >= begin);
      REQUIRE(keys[i] < end);
      REQUIRE(w[i] == 1.0f);
      counts[keys[i] - begin] += 1;
    }
  }
  // 63 degrees of freedom: P(chi2 > 103.44) = 0.001.
  CHECK(chi_square(counts, probs) < 103.44);
}

TEST_CASE("key_of_slot inverts key % capacity over the stored range") {
  const std::size_t cap = 7;
  for (uint64_t begin : {0ull, 3ull, 7ull, 20ull}) {
    for (uint64_t key = begin; key < begin + cap; ++key) REQUIRE(key_of_slot(key % cap, begin, cap) == key);
  }
}
