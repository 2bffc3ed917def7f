#pragma once
// Which device a learner trains on: [run] device = auto | cpu | cuda. One learner per GPU: rank r
// uses cuda:r.
#include <string>

#include <torch/torch.h>

namespace shmrl::learner {

// auto: cuda:rank when CUDA is available, else CPU. cuda: cuda:rank, or std::runtime_error when
// CUDA is unavailable. cpu: CPU. std::runtime_error (check_learners_fit_gpus's) when CUDA is
// chosen and rank >= the number of GPUs; std::invalid_argument for any other choice.
torch::Device resolve_device(const std::string& choice, int rank);

// One learner per GPU (two NCCL ranks cannot share a GPU): std::runtime_error naming run.learners,
// run.device and both counts when `learners` learners would train on CUDA ("cuda", or "auto" with
// gpus > 0) but only `gpus` GPUs exist. Nothing for "cpu". Pure: the caller counts the GPUs.
void check_learners_fit_gpus(const std::string& choice, int learners, int gpus);

// Speed over bit-exactness on CUDA, process-wide: cuDNN autotuning (benchmark mode: the fixed batch
// shapes pay the search once) and TF32 for float32 matmuls and convolutions (10-bit mantissa
// products, float32 accumulation). For the learner process and the benchmark; never in the
// CPU-vs-CUDA equality tests. Nothing happens on the CPU.
void enable_fast_cuda_math();

}  // namespace shmrl::learner
