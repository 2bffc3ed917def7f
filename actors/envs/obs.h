#pragma once
// Writes float observations into an env's obs bytes (float32, possibly unaligned). Inline and
// allocation-free: the per-step path of every built-in env.
#include <cstddef>
#include <cstring>

namespace shmrl::envs {

template <std::size_t N>
inline void write_f32(std::byte* obs, const double (&values)[N]) {
  float f[N];
  for (std::size_t i = 0; i < N; ++i) f[i] = static_cast<float>(values[i]);
  std::memcpy(obs, f, sizeof f);
}

template <class T>
inline T read_action(const void* action) {
  T v;
  std::memcpy(&v, action, sizeof v);
  return v;
}

}  // namespace shmrl::envs
