#include "models/gaussian_actor.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "models/torso.h"

namespace shmrl::models {

torch::Tensor squashed_gaussian_log_prob(const torch::Tensor& u, const torch::Tensor& mean,
                                         const torch::Tensor& log_std,
                                         const torch::Tensor& half_range) {
  const double log_sqrt_2pi = 0.5 * std::log(2 * M_PI);
  auto z = (u - mean) * torch::exp(-log_std);
  auto gaussian = -0.5 * z * z - log_std - log_sqrt_2pi;
  auto log_1m_tanh2 = 2.0 * (std::log(2.0) - u - torch::nn::functional::softplus(-2.0 * u));
  return (gaussian - torch::log(half_range) - log_1m_tanh2).sum(-1);
}

GaussianActorNetImpl::GaussianActorNetImpl(const ActorNetOptions& opts) {
  opts.validate();
  int64_t in = opts.obs_dim;
  torso_ = register_torso(*this, in, opts.hidden);
  const auto dims = static_cast<int64_t>(opts.low.size());
  mean_ = register_module("mean", torch::nn::Linear(in, dims));
  log_std_ = register_module("log_std", torch::nn::Linear(in, dims));
  auto low = torch::tensor(opts.low), high = torch::tensor(opts.high);
  center_ = register_buffer("center", (high + low) / 2);
  half_range_ = register_buffer("half_range", (high - low) / 2);
}

std::pair<torch::Tensor, torch::Tensor> GaussianActorNetImpl::forward(torch::Tensor x) {
  x = torso_forward(torso_, x);
  return {mean_->forward(x), torch::clamp(log_std_->forward(x), kLogStdMin, kLogStdMax)};
}

torch::Tensor GaussianActorNetImpl::mean_action(torch::Tensor obs) { return squash(forward(obs).first); }

std::pair<torch::Tensor, torch::Tensor> GaussianActorNetImpl::sample(torch::Tensor obs,
                                                                     const torch::Tensor& noise) {
  auto [mean, log_std] = forward(obs);
  auto u = mean + torch::exp(log_std) * noise;
  return {squash(u), squashed_gaussian_log_prob(u, mean, log_std, half_range_)};
}

}  // namespace shmrl::models
