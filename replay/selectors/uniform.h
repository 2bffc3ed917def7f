#pragma once
// Uniform selection: every stored item equally likely, weights all 1. No state: O(1) insert and
// update (ignored), O(n) sample. Threading: see selector.h.
#include "replay/selectors/selector.h"

namespace shmrl::replay {

class UniformSelector final : public Selector {
 public:
  SelectorKind kind() const override { return SelectorKind::Uniform; }
  void insert(uint64_t, const float*, std::size_t) override {}
  void update(const uint64_t*, const float*, std::size_t) override {}
  void rebuild(uint64_t, uint64_t, const float*) override {}
  void sample(uint64_t begin, uint64_t end, std::size_t n, double beta, std::mt19937_64& rng,
              uint64_t* keys, float* weights) override;
};

}  // namespace shmrl::replay
