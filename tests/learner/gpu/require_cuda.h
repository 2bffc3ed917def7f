#pragma once
// The gpu tests' guard: without a usable CUDA device the test prints the line that ctest's
// SKIP_REGULAR_EXPRESSION turns into "Skipped" (tests/learner/CMakeLists.txt) and returns.
#include <iostream>

#include <torch/cuda.h>

#include "learner/cuda_loader.h"

// As `shmrl` does first thing in main: load LibTorch's CUDA half before any test asks for CUDA.
inline const bool kCudaPluginLoaded = shmrl::learner::load_cuda_if_gpu();

#define REQUIRE_CUDA_OR_SKIP()                             \
  do {                                                     \
    if (!torch::cuda::is_available()) {                    \
      std::cout << "no CUDA device: skipped" << std::endl; \
      return;                                              \
    }                                                      \
  } while (0)
