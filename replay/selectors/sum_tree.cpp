#include "replay/selectors/sum_tree.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <stdexcept>
#include <string>

namespace shmrl::replay {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kGroup = 64;  // queries descended together: enough misses in flight
}  // namespace

SumMinTree::SumMinTree(std::size_t capacity) : capacity_(capacity) {
  if (capacity == 0 || capacity > (std::size_t{1} << 31))
    throw std::invalid_argument("sum tree: capacity must be in [1, 2^31], got " +
                                std::to_string(capacity));
  size_ = std::bit_ceil(capacity);
  sum_.assign(2 * size_, 0.0);
  min_.assign(2 * size_, kInf);
}

void SumMinTree::clear() {
  std::fill(sum_.begin(), sum_.end(), 0.0);
  std::fill(min_.begin(), min_.end(), kInf);
}

void SumMinTree::fix_parents(std::size_t lo, std::size_t hi) {
  while (lo > 1) {
    lo >>= 1;
    hi >>= 1;
    for (std::size_t i = lo; i <= hi; ++i) {
      sum_[i] = sum_[2 * i] + sum_[2 * i + 1];
      min_[i] = std::min(min_[2 * i], min_[2 * i + 1]);
    }
  }
}

void SumMinTree::set_range(std::size_t first, const double* values, std::size_t n) {
  if (n == 0) return;
  const std::size_t base = size_ + first;
  for (std::size_t i = 0; i < n; ++i) {
    sum_[base + i] = values[i];
    min_[base + i] = values[i] > 0 ? values[i] : kInf;
  }
  fix_parents(base, base + n - 1);
}

void SumMinTree::set(std::size_t leaf, double value) { set_range(leaf, &value, 1); }

bool SumMinTree::consistent() const {
  for (std::size_t i = 1; i < size_; ++i)
    if (sum_[i] != sum_[2 * i] + sum_[2 * i + 1] || min_[i] != std::min(min_[2 * i], min_[2 * i + 1]))
      return false;
  for (std::size_t i = capacity_; i < size_; ++i)
    if (sum_[size_ + i] != 0) return false;
  return true;
}

void SumMinTree::find(const double* u, std::size_t n, uint32_t* leaves) const {
  const double* s = sum_.data();
  const int depth = std::countr_zero(size_);
  std::size_t node[kGroup];
  double rem[kGroup];
  for (std::size_t g = 0; g < n; g += kGroup) {
    const std::size_t m = std::min(kGroup, n - g);
    for (std::size_t j = 0; j < m; ++j) {
      node[j] = 1;
      rem[j] = u[g + j];
    }
    for (int level = 0; level < depth; ++level) {
      for (std::size_t j = 0; j < m; ++j) {
        const std::size_t l = 2 * node[j];
        const double left = s[l], right = s[l + 1];
        // Go right only into a positive subtree; the parent is positive, so one child is.
        if (left > 0 && (rem[j] < left || !(right > 0))) {
          node[j] = l;
        } else {
          rem[j] -= left;
          node[j] = l + 1;
        }
        if (level + 1 < depth) __builtin_prefetch(s + 2 * node[j]);
      }
    }
    for (std::size_t j = 0; j < m; ++j) leaves[g + j] = static_cast<uint32_t>(node[j] - size_);
  }
}

}  // namespace shmrl::replay
