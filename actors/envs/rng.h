#pragma once
// The envs' own reset RNG: xoshiro256** seeded through splitmix64. Deterministic for a given seed
// on every platform (no std:: distributions, whose output is implementation-defined). Its streams
// differ from numpy's, so only the initial-state *distributions* match Gymnasium, not the draws.
#include <cmath>
#include <cstdint>

namespace shmrl::envs {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }

  void reseed(uint64_t seed) {
    for (auto& w : s_) w = splitmix64(seed);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits, as numpy's Generator.random().
  double uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [low, high), numpy's formula low + (high - low) * u.
  double uniform(double low, double high) { return low + (high - low) * uniform01(); }
  // Standard normal (Box-Muller on two uniforms; not numpy's ziggurat, so other draws).
  double standard_normal() {
    const double u1 = 1.0 - uniform01();  // (0, 1]: log stays finite
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * uniform01());
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

}  // namespace shmrl::envs
