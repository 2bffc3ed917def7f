#pragma once
// numpy's pairwise summation (np.sum of a contiguous float array), reproduced so that rewards summed
// over many terms (control and contact costs) round exactly as Gymnasium's do: below 8 values in
// order, up to 128 in 8 interleaved lanes combined as ((0+1)+(2+3))+((4+5)+(6+7)) then the rest in
// order, above that the two halves (the first a multiple of 8) recursively. Inline, no allocation.
#include <cstddef>

namespace shmrl::envs::mujoco {

template <class T>
T numpy_sum(const T* a, std::size_t n) {
  if (n < 8) {
    T sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += a[i];
    return sum;
  }
  if (n <= 128) {
    T r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    T sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) sum += a[i];
    return sum;
  }
  std::size_t half = n / 2;
  half -= half % 8;
  return numpy_sum(a, half) + numpy_sum(a + half, n - half);
}

}  // namespace shmrl::envs::mujoco
