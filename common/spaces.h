#pragma once
// Observation and action spaces (Gymnasium's Box and Discrete), shared by envs, schema and learner.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/dtype.h"

namespace shmrl {

struct Space {
  enum class Kind : uint8_t { Discrete, Box };
  Kind kind = Kind::Box;
  int64_t n = 0;                // Discrete: number of actions (actions are 0..n-1, stored as int32)
  std::vector<int64_t> shape;   // Box: element shape; Discrete: {} (a scalar)
  DType dtype = DType::F32;     // Box: element type; Discrete: I32
  std::vector<float> low, high; // Box: per-element bounds (size numel()), may be +-inf

  static Space discrete(int64_t n);
  static Space box(std::vector<int64_t> shape, std::vector<float> low, std::vector<float> high,
                   DType dtype = DType::F32);
  std::size_t numel() const;  // 1 for Discrete
  std::size_t bytes() const { return numel() * dtype_size(dtype); }
  bool contains_action(const void* action) const;  // bounds / range check of one element-set
  std::string describe() const;                   // "Discrete(2)", "Box(-1.0, 1.0, (2,), float32)"
};

}  // namespace shmrl
