#include "learner/device.h"

#include <algorithm>
#include <stdexcept>

namespace shmrl::learner {

void check_learners_fit_gpus(const std::string& choice, int learners, int gpus) {
  if (choice == "cpu" || (choice == "auto" && gpus == 0) || learners <= gpus) return;
  throw std::runtime_error("run.learners = " + std::to_string(learners) + " with run.device = \"" + choice +
                           "\" needs " + std::to_string(learners) + " GPUs, one per learner (two NCCL "
                           "ranks cannot share a GPU), but " + std::to_string(gpus) +
                           " GPU(s) are here: lower run.learners to " + std::to_string(std::max(gpus, 1)) +
                           " or use run.device = \"cpu\"");
}

torch::Device resolve_device(const std::string& choice, int rank) {
  if (choice == "cpu") return torch::kCPU;
  if (choice != "auto" && choice != "cuda")
    throw std::invalid_argument("run.device = \"" + choice + "\": must be one of auto|cpu|cuda");
  if (!torch::cuda::is_available()) {
    if (choice == "cuda")
      throw std::runtime_error("run.device = \"cuda\" but CUDA is not available here (no GPU, or a "
                               "LibTorch without CUDA): use run.device = \"auto\" or \"cpu\"");
    return torch::kCPU;
  }
  check_learners_fit_gpus(choice, rank + 1, static_cast<int>(torch::cuda::device_count()));
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(rank));
}

void enable_fast_cuda_math() {
  at::globalContext().setBenchmarkCuDNN(true);
  at::globalContext().setAllowTF32CuBLAS(true);
  at::globalContext().setAllowTF32CuDNN(true);
}

}  // namespace shmrl::learner
