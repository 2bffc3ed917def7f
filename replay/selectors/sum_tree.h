#pragma once
// Sum tree plus min tree over `capacity` leaves of non-negative doubles (prioritized replay's
// priority^alpha). One implicit binary heap of P = bit_ceil(capacity) leaves: node i has children
// 2i and 2i+1, leaf j is node P + j, and each node holds {sum, min} side by side, so two siblings
// share one 32-byte-aligned pair and a step down (or up) the tree is one cache line. Parents are
// recomputed from their children (never updated by deltas), so the root is exactly the sum of its
// children as rounded and does not drift over billions of updates.
//
// Zero leaves are "absent": they add nothing to the sum and count as +inf in the min, so
// min_positive() is the smallest positive leaf. Memory: 32 * P bytes (32 MiB at 1M leaves), mapped
// with transparent huge pages advised, since every sample walks ~log2(P) random lines of it.
//
// Threading: not synchronised; the owner serialises writers against readers.
#include <cstddef>
#include <cstdint>

namespace shmrl::replay {

class SumMinTree {
 public:
  // capacity in [1, 2^31]. O(P) (zeroed). Throws std::invalid_argument / std::bad_alloc.
  explicit SumMinTree(std::size_t capacity);
  ~SumMinTree();
  SumMinTree(const SumMinTree&) = delete;
  SumMinTree& operator=(const SumMinTree&) = delete;

  std::size_t capacity() const { return capacity_; }
  // Sets leaves [first, first + n) (first + n <= capacity; values >= 0, finite). Recomputes the
  // parents of the range level by level: O(n + log P) instead of O(n log P).
  void set_range(std::size_t first, const double* values, std::size_t n);
  // Sets one leaf. O(log P).
  void set(std::size_t leaf, double value);
  // Sets n arbitrary leaves (repeats allowed: the last value wins). Walks the n paths up level by
  // level with prefetching, so their cache misses overlap: O(n log P), several times faster than
  // n set() calls on a tree larger than the cache.
  void set_many(const uint32_t* leaves, const double* values, std::size_t n);
  // All leaves to 0. O(P).
  void clear();

  double leaf(std::size_t i) const { return nodes_[size_ + i].sum; }
  double total() const { return nodes_[1].sum; }
  // Smallest positive leaf; +inf when every leaf is 0. O(1).
  double min_positive() const { return nodes_[1].min; }

  // For each u[j] in [0, total()), the leaf whose prefix-sum interval holds it (values of u at or
  // past total() land on the last positive leaf). Never returns a zero leaf while total() > 0.
  // Descends all n queries level by level with prefetching, so the cache misses of the lower levels
  // overlap. Precondition: total() > 0. O(n log P).
  void find(const double* u, std::size_t n, uint32_t* leaves) const;

  // Every internal node equals the sum (and min) of its children exactly, and leaves past capacity
  // are empty. O(P). For tests and the service's consistency check.
  bool consistent() const;

 private:
  struct Node {
    double sum, min;
  };
  void fix(std::size_t i) {  // recompute node i from its children
    nodes_[i].sum = nodes_[2 * i].sum + nodes_[2 * i + 1].sum;
    nodes_[i].min = nodes_[2 * i].min < nodes_[2 * i + 1].min ? nodes_[2 * i].min : nodes_[2 * i + 1].min;
  }

  std::size_t capacity_, size_;  // size_ = P
  Node* nodes_ = nullptr;        // 2 * P nodes, node 0 unused
  std::size_t bytes_ = 0;        // of the mapping
};

}  // namespace shmrl::replay
