#pragma once
// Which device a learner trains on: [run] device = auto | cpu | cuda. One learner per GPU: rank r
// uses cuda:r.
#include <string>

#include <torch/torch.h>

namespace shmrl::learner {

// auto: cuda:rank when CUDA is available, else CPU. cuda: cuda:rank, or std::runtime_error when
// CUDA is unavailable. cpu: CPU. std::runtime_error (naming run.learners and the GPU count) when
// CUDA is chosen and rank >= the number of GPUs; std::invalid_argument for any other choice.
torch::Device resolve_device(const std::string& choice, int rank);

}  // namespace shmrl::learner
