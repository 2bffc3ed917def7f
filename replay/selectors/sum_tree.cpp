#include "replay/selectors/sum_tree.h"

#include <sys/mman.h>

#include <algorithm>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

namespace shmrl::replay {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t F = SumMinTree::kFanout;
constexpr std::size_t kGroup = 64;  // paths walked together: enough misses in flight
constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t round_up(std::size_t x, std::size_t m) { return (x + m - 1) / m * m; }

// Sum and min of the 8 children starting at c, added left to right (the order find() uses).
inline void reduce8(const double* s, const double* m, double& sum, double& mn) {
  double a = s[0], b = m[0];
  for (std::size_t i = 1; i < F; ++i) {
    a += s[i];
    b = m[i] < b ? m[i] : b;
  }
  sum = a;
  mn = b;
}
}  // namespace

SumMinTree::SumMinTree(std::size_t capacity) : capacity_(capacity) {
  if (capacity == 0 || capacity > (std::size_t{1} << 31))
    throw std::invalid_argument("sum tree: capacity must be in [1, 2^31], got " +
                                std::to_string(capacity));
  for (std::size_t n = round_up(capacity, F);; n = round_up(n / F, F)) {
    len_.push_back(n);
    if (n == F) break;
  }
  std::size_t entries = 0;
  for (std::size_t n : len_) entries += n;
  map_bytes_ = round_up(2 * entries * sizeof(double), kHugePage);
  map_ = ::mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map_ == MAP_FAILED) throw std::bad_alloc();
  ::madvise(map_, map_bytes_, MADV_HUGEPAGE);  // advisory: fewer TLB misses per descent
  auto* p = static_cast<double*>(map_);        // every level starts 64-byte aligned (n % 8 == 0)
  for (std::size_t n : len_) {
    sum_.push_back(p);
    p += n;
  }
  for (std::size_t n : len_) {
    min_.push_back(p);
    p += n;
  }
  clear();
}

SumMinTree::~SumMinTree() { ::munmap(map_, map_bytes_); }

void SumMinTree::clear() {
  for (std::size_t l = 0; l < len_.size(); ++l) {
    std::fill(sum_[l], sum_[l] + len_[l], 0.0);
    std::fill(min_[l], min_[l] + len_[l], kInf);
  }
  total_ = 0;
  min_total_ = kInf;
}

void SumMinTree::fix(std::size_t level, std::size_t i) {
  reduce8(sum_[level - 1] + i * F, min_[level - 1] + i * F, sum_[level][i], min_[level][i]);
}

void SumMinTree::fix_top() { reduce8(sum_.back(), min_.back(), total_, min_total_); }

void SumMinTree::set_range(std::size_t first, const double* values, std::size_t n) {
  if (n == 0) return;
  for (std::size_t i = 0; i < n; ++i) {
    sum_[0][first + i] = values[i];
    min_[0][first + i] = values[i] > 0 ? values[i] : kInf;
  }
  std::size_t lo = first, hi = first + n - 1;
  for (std::size_t l = 1; l < len_.size(); ++l) {
    lo /= F;
    hi /= F;
    for (std::size_t i = lo; i <= hi; ++i) fix(l, i);
  }
  fix_top();
}

void SumMinTree::set(std::size_t leaf, double value) { set_range(leaf, &value, 1); }

void SumMinTree::set_many(const uint32_t* leaves, const double* values, std::size_t n) {
  std::size_t node[kGroup];
  for (std::size_t g = 0; g < n; g += kGroup) {
    const std::size_t m = std::min(kGroup, n - g);
    for (std::size_t j = 0; j < m; ++j) {
      node[j] = leaves[g + j];
      sum_[0][node[j]] = values[g + j];
      min_[0][node[j]] = values[g + j] > 0 ? values[g + j] : kInf;
    }
    // Level by level: every entry of the level below is final before its parent is recomputed, so
    // paths that share ancestors are handled (a shared parent is just recomputed twice).
    for (std::size_t l = 1; l < len_.size(); ++l) {
      for (std::size_t j = 0; j < m; ++j) {
        node[j] /= F;
        fix(l, node[j]);
        if (l + 1 < len_.size()) {
          __builtin_prefetch(sum_[l] + node[j] / F * F);
          __builtin_prefetch(min_[l] + node[j] / F * F);
        }
      }
    }
  }
  fix_top();
}

bool SumMinTree::consistent() const {
  for (std::size_t l = 1; l <= len_.size(); ++l) {
    const std::size_t parents = l < len_.size() ? len_[l] : 1;
    for (std::size_t i = 0; i < parents; ++i) {
      // Entries whose 8 children lie past the level below (its length is a multiple of 8) are
      // never written: they must stay empty.
      double s = 0, m = kInf;
      if (i * F < len_[l - 1]) reduce8(sum_[l - 1] + i * F, min_[l - 1] + i * F, s, m);
      const double want_s = l < len_.size() ? sum_[l][i] : total_;
      const double want_m = l < len_.size() ? min_[l][i] : min_total_;
      if (s != want_s || m != want_m) return false;
    }
  }
  for (std::size_t i = capacity_; i < len_[0]; ++i)
    if (sum_[0][i] != 0) return false;
  return true;
}

void SumMinTree::find(const double* u, std::size_t n, uint32_t* leaves) const {
  const std::size_t top = len_.size() - 1;
  std::size_t node[kGroup];  // entry index within the current level
  double rem[kGroup];
  for (std::size_t g = 0; g < n; g += kGroup) {
    const std::size_t m = std::min(kGroup, n - g);
    for (std::size_t j = 0; j < m; ++j) {
      node[j] = 0;  // the top level is one group of 8
      rem[j] = u[g + j];
    }
    for (std::size_t l = top + 1; l-- > 0;) {
      const double* s = sum_[l];
      for (std::size_t j = 0; j < m; ++j) {
        const double* c = s + node[j] * F;
        // Child = how many prefix sums are <= rem, capped at the last positive child: a child
        // reached that way is positive (its prefix sum grew past rem), and the cap catches a rem
        // that rounding put at or past the group's sum.
        double prefix = 0, before = 0;
        std::size_t pick = 0, last_positive = 0;
        for (std::size_t i = 0; i < F; ++i) {
          prefix += c[i];
          const bool past = prefix <= rem[j];
          pick += past;
          before = past ? prefix : before;
          last_positive = c[i] > 0 ? i : last_positive;
        }
        if (pick > last_positive) {
          pick = last_positive;
          before = 0;
          for (std::size_t i = 0; i < pick; ++i) before += c[i];
        }
        rem[j] -= before;
        node[j] = node[j] * F + pick;
        if (l > 0) __builtin_prefetch(sum_[l - 1] + node[j] * F);
      }
    }
    for (std::size_t j = 0; j < m; ++j) leaves[g + j] = static_cast<uint32_t>(node[j]);
  }
}

}  // namespace shmrl::replay
