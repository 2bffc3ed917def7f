#pragma once
// Sum tree plus min tree over `capacity` leaves of non-negative doubles (prioritized replay's
// priority^alpha). Implicit binary heaps in two arrays of 2 * P doubles (P = capacity rounded up to
// a power of two): node i has children 2i and 2i+1, leaf j is node P + j. Parents are recomputed
// from their children (never updated by deltas), so the root is exactly the sum of its children as
// rounded and does not drift over billions of updates.
//
// Zero leaves are "absent": they add nothing to the sum and count as +inf in the min tree, so
// min_positive() is the smallest positive leaf. Memory: 32 * P bytes (32 MiB at 1M leaves).
//
// Threading: not synchronised; the owner serialises writers against readers.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace shmrl::replay {

class SumMinTree {
 public:
  // capacity in [1, 2^31]. O(P) (zeroed).
  explicit SumMinTree(std::size_t capacity);

  std::size_t capacity() const { return capacity_; }
  // Sets leaves [first, first + n) (first + n <= capacity; values >= 0, finite). Recomputes the
  // parents of the range level by level: O(n + log P) instead of O(n log P).
  void set_range(std::size_t first, const double* values, std::size_t n);
  // Sets one leaf. O(log P).
  void set(std::size_t leaf, double value);
  // All leaves to 0. O(P).
  void clear();

  double leaf(std::size_t i) const { return sum_[size_ + i]; }
  double total() const { return sum_[1]; }
  // Smallest positive leaf; +inf when every leaf is 0. O(1).
  double min_positive() const { return min_[1]; }

  // For each u[j] in [0, total()), the leaf whose prefix-sum interval holds it (values of u at or
  // past total() land on the last positive leaf). Never returns a zero leaf while total() > 0.
  // Descends all n queries level by level with prefetching, so the cache misses of the lower levels
  // overlap. Precondition: total() > 0. O(n log P).
  void find(const double* u, std::size_t n, uint32_t* leaves) const;

  // Every internal node equals the sum (and min) of its children exactly. O(P). For tests and
  // the service's consistency check.
  bool consistent() const;

 private:
  void fix_parents(std::size_t lo, std::size_t hi);  // nodes [lo, hi] of one level changed

  std::size_t capacity_, size_;  // size_ = P
  std::vector<double> sum_, min_;
};

}  // namespace shmrl::replay
