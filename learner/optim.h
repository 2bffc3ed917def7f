#pragma once
// The optimizer half of an update as a few multi-tensor device ops, so a GPU update launches a
// handful of kernels instead of ~10 per parameter and never waits for the device:
//   clip_grad_norm   the global gradient norm and the clipping scale stay tensors on the device
//                    (LibTorch's clip_grad_norm_ reads them on the host: two syncs)
//   fused_adam_step  LibTorch's fused Adam kernel (one launch per param group) over a
//                    torch::optim::Adam's own parameters and state, so checkpoints keep their format
//                    and LibTorch's Adam::step() can take over at any point
//
// Threading: the thread that owns the parameters.
#include <vector>

#include <torch/torch.h>

namespace shmrl::learner {

// Scales the defined gradients of `params` so their global L2 norm is at most max_norm (> 0); as
// LibTorch's clip_grad_norm_ (scale max_norm / (norm + 1e-6) when below 1). Returns the norm
// before clipping as a 0-dim float tensor on the parameters' device; never synchronises.
torch::Tensor clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm);

// One Adam step for every parameter with a gradient, each param group with its own lr, betas, eps
// and weight decay (amsgrad unsupported: std::invalid_argument), creating missing state as
// Adam::step() would; parameters without a gradient (and their moments) are left alone, as
// Adam::step() does. `step_counts` is scratch the caller keeps (one 0-dim float tensor per group on
// the parameters' device after the first call: the fused kernel reads the step count from there).
// O(parameters), one kernel per group.
void fused_adam_step(torch::optim::Adam& optim, std::vector<torch::Tensor>& step_counts);

}  // namespace shmrl::learner
