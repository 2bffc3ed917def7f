#include "models/twin_critic.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace shmrl::models {

TwinCriticImpl::TwinCriticImpl(int64_t obs_dim, int64_t action_dim, const std::vector<int64_t>& hidden) {
  if (obs_dim <= 0 || action_dim <= 0)
    throw std::invalid_argument("twin critic: obs_dim = " + std::to_string(obs_dim) + ", action_dim = " +
                                std::to_string(action_dim) + ", both must be > 0");
  const QNetOptions o{obs_dim + action_dim, 1, hidden, /*dueling=*/false};
  q1_ = register_module("q1", QNet(o));
  q2_ = register_module("q2", QNet(o));
}

std::pair<torch::Tensor, torch::Tensor> TwinCriticImpl::forward(const torch::Tensor& obs,
                                                                const torch::Tensor& action) {
  auto x = torch::cat({obs, action}, 1);
  return {q1_->forward(x).squeeze(1), q2_->forward(x).squeeze(1)};
}

torch::Tensor TwinCriticImpl::q1(const torch::Tensor& obs, const torch::Tensor& action) {
  return q1_->forward(torch::cat({obs, action}, 1)).squeeze(1);
}

}  // namespace shmrl::models
