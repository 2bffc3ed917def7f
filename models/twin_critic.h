#pragma once
// SAC's and TD3's twin Q-functions: two independent MLPs Q1, Q2 over the concatenated observation
// and action, each a QNet (qnet.h) with one output. Includes LibTorch: torch code only.
// Parameter order: q1.torso0, ..., q1.head, q2.torso0, ..., q2.head.
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "models/qnet.h"

namespace shmrl::models {

class TwinCriticImpl : public torch::nn::Module {
 public:
  // obs_dim, action_dim > 0; hidden: each > 0 (std::invalid_argument otherwise).
  TwinCriticImpl(int64_t obs_dim, int64_t action_dim, const std::vector<int64_t>& hidden);
  // obs [B, obs_dim], action [B, action_dim] float32 -> (Q1, Q2), each [B].
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& obs, const torch::Tensor& action);
  // Q1 alone, [B] (TD3's actor loss).
  torch::Tensor q1(const torch::Tensor& obs, const torch::Tensor& action);

 private:
  QNet q1_{nullptr}, q2_{nullptr};
};
TORCH_MODULE(TwinCritic);

}  // namespace shmrl::models
