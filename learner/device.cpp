#include "learner/device.h"

#include <stdexcept>

namespace shmrl::learner {

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
  const int gpus = static_cast<int>(torch::cuda::device_count());
  if (rank >= gpus)
    throw std::runtime_error("learner rank " + std::to_string(rank) + " has no GPU of its own: " +
                             std::to_string(gpus) + " GPU(s) here, one learner per GPU; lower "
                             "run.learners to " + std::to_string(gpus) + " or use run.device = \"cpu\"");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(rank));
}

}  // namespace shmrl::learner
