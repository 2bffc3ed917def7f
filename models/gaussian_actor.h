#pragma once
// SAC's squashed Gaussian policy: an MLP torso with ReLU, then two linear heads giving the mean and
// log standard deviation of a Gaussian over pre-squash actions u; the action is
// a = center + half_range * tanh(u), inside the env's bounds. Includes LibTorch: torch code only.
// Parameter order (what the weights blob fingerprints): torso0, torso1, ..., mean, log_std.
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <utility>
#include <vector>

#include "models/actor_net.h"

namespace shmrl::models {

// log pi(a | s) of a = center + half_range * tanh(u), u ~ N(mean, exp(log_std)^2), per row:
//   sum_d [ log N(u_d; mean_d, std_d) - log(half_range_d) - log(1 - tanh(u_d)^2) ]
// with log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)), exact and stable for large |u|.
// u, mean, log_std: [B, A]; half_range: [A]. Returns [B]. Differentiable in all inputs.
torch::Tensor squashed_gaussian_log_prob(const torch::Tensor& u, const torch::Tensor& mean,
                                         const torch::Tensor& log_std,
                                         const torch::Tensor& half_range);

class GaussianActorNetImpl : public torch::nn::Module {
 public:
  // log_std is clamped to this range: a policy can neither collapse nor blow up numerically.
  static constexpr double kLogStdMin = -20.0, kLogStdMax = 2.0;

  explicit GaussianActorNetImpl(const ActorNetOptions& opts);
  // obs [B, obs_dim] float32 -> (mean, clamped log_std), each [B, action_dim], pre-squash.
  std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor obs);
  // The deterministic (evaluation) action center + half_range * tanh(mean), [B, action_dim].
  torch::Tensor mean_action(torch::Tensor obs);
  // Reparameterised sample with the given standard-normal noise [B, action_dim]: the action within
  // the bounds and its log-probability [B]. Differentiable with respect to the parameters.
  std::pair<torch::Tensor, torch::Tensor> sample(torch::Tensor obs, const torch::Tensor& noise);
  // Maps pre-squash u to the env's bounds.
  torch::Tensor squash(const torch::Tensor& u) const { return center_ + half_range_ * torch::tanh(u); }
  const torch::Tensor& half_range() const { return half_range_; }

 private:
  std::vector<torch::nn::Linear> torso_;
  torch::nn::Linear mean_{nullptr}, log_std_{nullptr};
  torch::Tensor center_, half_range_;  // buffers, not parameters: not part of the weights blob
};
TORCH_MODULE(GaussianActorNet);

}  // namespace shmrl::models
