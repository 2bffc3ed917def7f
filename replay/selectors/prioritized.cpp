#include "replay/selectors/prioritized.h"

#include <algorithm>
#include <cmath>

#include "replay/selectors/uniform.h"

namespace shmrl::replay {

PrioritizedSelector::PrioritizedSelector(std::size_t capacity, double alpha)
    : tree_(capacity), alpha_(alpha) {}

double PrioritizedSelector::scaled(float p) {
  if (p != last_p_) {
    last_p_ = p;
    last_scaled_ = std::pow(static_cast<double>(p), alpha_);
  }
  return last_scaled_;
}

void PrioritizedSelector::insert(uint64_t first_key, const float* p, std::size_t n) {
  const std::size_t cap = tree_.capacity();
  vals_.resize(std::min(n, cap));
  std::size_t done = 0;
  while (done < n) {  // one contiguous leaf range per pass: at most two passes (the wrap)
    const std::size_t slot = (first_key + done) % cap;
    const std::size_t m = std::min(n - done, cap - slot);
    for (std::size_t i = 0; i < m; ++i) vals_[i] = scaled(p[done + i]);
    tree_.set_range(slot, vals_.data(), m);
    done += m;
  }
}

void PrioritizedSelector::update(const uint64_t* keys, const float* p, std::size_t n) {
  leaves_.resize(n);
  vals_.resize(std::max(vals_.size(), n));
  for (std::size_t i = 0; i < n; ++i) {
    leaves_[i] = static_cast<uint32_t>(keys[i] % tree_.capacity());
    vals_[i] = scaled(p[i]);
  }
  tree_.set_many(leaves_.data(), vals_.data(), n);
}

void PrioritizedSelector::rebuild(uint64_t begin, uint64_t end, const float* slot_priorities) {
  tree_.clear();
  const std::size_t cap = tree_.capacity();
  vals_.assign(cap, 0.0);
  for (uint64_t k = begin; k < end; ++k) vals_[k % cap] = scaled(slot_priorities[k % cap]);
  tree_.set_range(0, vals_.data(), cap);
}

void PrioritizedSelector::sample(uint64_t begin, uint64_t end, std::size_t n, double beta,
                                 std::mt19937_64& rng, uint64_t* keys, float* weights) {
  const double total = tree_.total();
  if (!(total > 0)) {
    UniformSelector().sample(begin, end, n, beta, rng, keys, weights);
    return;
  }
  u_.resize(n);
  leaves_.resize(n);
  std::uniform_real_distribution<double> draw(0.0, total);
  for (std::size_t i = 0; i < n; ++i) u_[i] = draw(rng);
  tree_.find(u_.data(), n, leaves_.data());
  const double min_p = tree_.min_positive();
  const std::size_t cap = tree_.capacity();
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = key_of_slot(leaves_[i], begin, cap);
    weights[i] = static_cast<float>(std::pow(min_p / tree_.leaf(leaves_[i]), beta));
  }
}

}  // namespace shmrl::replay
