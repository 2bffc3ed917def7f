#include "replay/selectors/sum_tree.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

namespace shmrl::replay {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kGroup = 64;  // paths walked together: enough misses in flight
constexpr std::size_t kHugePage = std::size_t{2} << 20;
}  // namespace

SumMinTree::SumMinTree(std::size_t capacity) : capacity_(capacity) {
  if (capacity == 0 || capacity > (std::size_t{1} << 31))
    throw std::invalid_argument("sum tree: capacity must be in [1, 2^31], got " +
                                std::to_string(capacity));
  size_ = std::bit_ceil(capacity);
  bytes_ = (2 * size_ * sizeof(Node) + kHugePage - 1) / kHugePage * kHugePage;
  void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  ::madvise(p, bytes_, MADV_HUGEPAGE);  // advisory: fewer TLB misses per descent where available
  nodes_ = static_cast<Node*>(p);
  clear();
}

SumMinTree::~SumMinTree() { ::munmap(nodes_, bytes_); }

void SumMinTree::clear() { std::fill(nodes_, nodes_ + 2 * size_, Node{0.0, kInf}); }

void SumMinTree::set_range(std::size_t first, const double* values, std::size_t n) {
  if (n == 0) return;
  std::size_t lo = size_ + first, hi = lo + n - 1;
  for (std::size_t i = 0; i < n; ++i) nodes_[lo + i] = Node{values[i], values[i] > 0 ? values[i] : kInf};
  while (lo > 1) {
    lo >>= 1;
    hi >>= 1;
    for (std::size_t i = lo; i <= hi; ++i) fix(i);
  }
}

void SumMinTree::set(std::size_t leaf, double value) { set_range(leaf, &value, 1); }

void SumMinTree::set_many(const uint32_t* leaves, const double* values, std::size_t n) {
  std::size_t node[kGroup];
  for (std::size_t g = 0; g < n; g += kGroup) {
    const std::size_t m = std::min(kGroup, n - g);
    for (std::size_t j = 0; j < m; ++j) {
      node[j] = size_ + leaves[g + j];
      nodes_[node[j]] = Node{values[g + j], values[g + j] > 0 ? values[g + j] : kInf};
      __builtin_prefetch(&nodes_[node[j] >> 1]);
    }
    // Level by level: every node of the level below is final before its parent is recomputed, so
    // paths that share ancestors are handled (a shared parent is just recomputed twice).
    for (std::size_t level = size_; level > 1; level >>= 1) {
      for (std::size_t j = 0; j < m; ++j) {
        node[j] >>= 1;
        fix(node[j]);
        __builtin_prefetch(&nodes_[node[j] >> 1]);
      }
    }
  }
}

bool SumMinTree::consistent() const {
  for (std::size_t i = 1; i < size_; ++i) {
    const Node &l = nodes_[2 * i], &r = nodes_[2 * i + 1];
    if (nodes_[i].sum != l.sum + r.sum || nodes_[i].min != std::min(l.min, r.min)) return false;
  }
  for (std::size_t i = capacity_; i < size_; ++i)
    if (nodes_[size_ + i].sum != 0) return false;
  return true;
}

void SumMinTree::find(const double* u, std::size_t n, uint32_t* leaves) const {
  const Node* t = nodes_;
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
        const double left = t[l].sum, right = t[l + 1].sum;
        // Go right only into a positive subtree; the parent is positive, so one child is.
        // Branch-free: the direction is a coin flip the branch predictor cannot learn.
        const bool right_side = !(left > 0) || (rem[j] >= left && right > 0);
        rem[j] -= right_side ? left : 0.0;
        node[j] = l + static_cast<std::size_t>(right_side);
        if (level + 1 < depth) __builtin_prefetch(t + 2 * node[j]);
      }
    }
    for (std::size_t j = 0; j < m; ++j) leaves[g + j] = static_cast<uint32_t>(node[j] - size_);
  }
}

}  // namespace shmrl::replay
