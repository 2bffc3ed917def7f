#include "replay/selectors/uniform.h"

namespace shmrl::replay {

void UniformSelector::sample(uint64_t begin, uint64_t end, std::size_t n, double, std::mt19937_64& rng,
                             uint64_t* keys, float* weights) {
  std::uniform_int_distribution<uint64_t> pick(begin, end - 1);
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = pick(rng);
    weights[i] = 1.0f;
  }
}

}  // namespace shmrl::replay
