#pragma once
// Sum tree plus min tree over `capacity` leaves of non-negative doubles (prioritized replay's
// priority^alpha), with fan-out 8: the 8 children of a node are 8 consecutive doubles, one 64-byte
// cache line, so a descent over 1M leaves reads 7 lines instead of the 20 a binary tree reads
// (samples are bound by those cache misses). Level 0 holds the leaves; level k+1 holds the sums
// (and, in a twin array, the minima) of level k's groups of 8; the top level has at most 8
// entries, summed into total(). Parents are recomputed from their children (never updated by
// deltas), so sums stay exact sums of the rounded children and do not drift.
//
// Zero leaves are "absent": they add nothing to the sum and count as +inf in the min, so
// min_positive() is the smallest positive leaf. Memory: about 2 * 8 * 8/7 bytes per leaf (18 MiB
// at 1M leaves), mapped with transparent huge pages advised.
//
// Threading: not synchronised; the owner serialises writers against readers.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace shmrl::replay {

class SumMinTree {
 public:
  static constexpr std::size_t kFanout = 8;

  // capacity in [1, 2^31]. O(capacity) (zeroed). Throws std::invalid_argument / std::bad_alloc.
  explicit SumMinTree(std::size_t capacity);
  ~SumMinTree();
  SumMinTree(const SumMinTree&) = delete;
  SumMinTree& operator=(const SumMinTree&) = delete;

  std::size_t capacity() const { return capacity_; }
  // Sets leaves [first, first + n) (first + n <= capacity; values >= 0, finite). Recomputes the
  // parents of the range level by level: O(n + log capacity).
  void set_range(std::size_t first, const double* values, std::size_t n);
  // Sets one leaf. O(8 log8 capacity).
  void set(std::size_t leaf, double value);
  // Sets n arbitrary leaves (repeats allowed: the last value wins). Walks the n paths up level by
  // level with prefetching, so their cache misses overlap. O(n log capacity).
  void set_many(const uint32_t* leaves, const double* values, std::size_t n);
  // All leaves to 0. O(capacity).
  void clear();

  double leaf(std::size_t i) const { return sum_[0][i]; }
  double total() const { return total_; }
  // Smallest positive leaf; +inf when every leaf is 0. O(1).
  double min_positive() const { return min_total_; }

  // For each u[j] in [0, total()), the leaf whose prefix-sum interval holds it (values of u at or
  // past total() land on the last positive leaf). Never returns a zero leaf while total() > 0.
  // Descends all n queries level by level with prefetching, so the cache misses of the lower levels
  // overlap. Precondition: total() > 0. O(n log capacity).
  void find(const double* u, std::size_t n, uint32_t* leaves) const;

  // Every node equals the exact sum (and min) of its children, and leaves past capacity are empty.
  // O(capacity). For tests and the service's consistency check.
  bool consistent() const;

 private:
  void fix(std::size_t level, std::size_t i);  // entry i of `level` (>= 1) from its 8 children
  void fix_top();                              // total_ and min_total_ from the top level

  std::size_t capacity_;
  std::vector<std::size_t> len_;            // entries per level (multiples of 8)
  std::vector<double*> sum_, min_;          // per level, into the mapping
  double total_ = 0, min_total_ = 0;
  void* map_ = nullptr;
  std::size_t map_bytes_ = 0;
};

}  // namespace shmrl::replay
