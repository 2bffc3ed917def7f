#pragma once
// Proportional prioritized selection (Schaul et al. 2016): item i is drawn with probability
// P(i) = p_i^alpha / sum_k p_k^alpha, and its importance weight is (N * P(i))^-beta normalised by
// the largest possible weight (N * P_min)^-beta, i.e. w_i = (P_min / P(i))^beta = (min_k p_k^alpha /
// p_i^alpha)^beta, where P_min is over stored items with a positive priority (a zero priority is
// never drawn). If every stored priority is 0, it falls back to uniform draws with weight 1.
//
// Costs: insert O(n + log P) for n consecutive keys, update O(n log P) (paths walked together,
// see SumMinTree::set_many), sample O(n log P) with the
// descents of a batch interleaved (see SumMinTree::find), rebuild O(P). Memory 32 * P bytes plus
// scratch of the largest batch. Threading: see selector.h (scratch buffers are members).
#include <vector>

#include "replay/selectors/selector.h"
#include "replay/selectors/sum_tree.h"

namespace shmrl::replay {

class PrioritizedSelector final : public Selector {
 public:
  // alpha in [0, 10] (validated by ReplayOptions).
  PrioritizedSelector(std::size_t capacity, double alpha);
  SelectorKind kind() const override { return SelectorKind::Prioritized; }
  void insert(uint64_t first_key, const float* p, std::size_t n) override;
  void update(const uint64_t* keys, const float* p, std::size_t n) override;
  void rebuild(uint64_t begin, uint64_t end, const float* slot_priorities) override;
  void sample(uint64_t begin, uint64_t end, std::size_t n, double beta, std::mt19937_64& rng,
              uint64_t* keys, float* weights) override;

  // For tests and the service's consistency check.
  const SumMinTree& tree() const { return tree_; }
  double scaled(float p);  // p^alpha (cached for repeated p, e.g. inserts at the running max)

 private:
  SumMinTree tree_;
  double alpha_;
  float last_p_ = -1;
  double last_scaled_ = 0;
  std::vector<double> vals_, u_;
  std::vector<uint32_t> leaves_;
};

}  // namespace shmrl::replay
