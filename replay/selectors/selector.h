#pragma once
// Selectors decide which stored items a batch takes. Items are named by key: the absolute insertion
// number in the replay storage (slot = key % capacity). The storage keeps the stored range
// [begin, end) and the raw priorities; a selector keeps whatever index it needs over them.
//
// Threading contract for every selector: not synchronised. The replay service calls all methods
// under its storage lock, so a selector never sees a write concurrent with a read.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>

#include "replay/options.h"

namespace shmrl::replay {

class Selector {
 public:
  virtual ~Selector() = default;
  virtual SelectorKind kind() const = 0;
  // Keys [first_key, first_key + n) now hold raw priorities p[0..n) (each >= 0 and finite),
  // replacing the items previously in those slots (FIFO eviction). n <= capacity.
  virtual void insert(uint64_t first_key, const float* p, std::size_t n) = 0;
  // The stored items keys[0..n) now have raw priorities p[0..n) (each >= 0, finite; a key may
  // repeat: the last one wins).
  virtual void update(const uint64_t* keys, const float* p, std::size_t n) = 0;
  // Forgets everything, then indexes the stored range [begin, end) whose raw priorities are
  // slot_priorities[key % capacity] (after a restart or a restore). O(capacity).
  virtual void rebuild(uint64_t begin, uint64_t end, const float* slot_priorities) = 0;
  // Draws n keys from [begin, end) (end > begin) with replacement, and each draw's importance
  // weight for exponent beta, normalised so the largest possible weight is 1.
  virtual void sample(uint64_t begin, uint64_t end, std::size_t n, double beta, std::mt19937_64& rng,
                      uint64_t* keys, float* weights) = 0;
};

// A selector for `capacity` slots. alpha is only used by the prioritized one.
std::unique_ptr<Selector> make_selector(SelectorKind kind, std::size_t capacity, double alpha);

// The key in [begin, end) (end - begin <= capacity) stored in `slot`. O(1).
inline uint64_t key_of_slot(uint64_t slot, uint64_t begin, std::size_t capacity) {
  const uint64_t first_slot = begin % capacity;
  return begin + (slot + capacity - first_slot) % capacity;
}

}  // namespace shmrl::replay
