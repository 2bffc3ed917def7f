#pragma once
// Deterministic actor network for Box action spaces (TD3/DDPG-style): MLP torso with ReLU, then a
// linear layer and tanh scaled to the action bounds, mu(s) = center + half_range * tanh(z).
// Includes LibTorch: only torch code includes it. Parameter order: torso0, torso1, ..., head.
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace shmrl::models {

struct ActorNetOptions {
  int64_t obs_dim = 0;          // > 0
  std::vector<float> low, high; // per action dimension, finite, low < high
  std::vector<int64_t> hidden;  // each > 0
  void validate() const;        // std::invalid_argument naming the field
};

class DeterministicActorNetImpl : public torch::nn::Module {
 public:
  explicit DeterministicActorNetImpl(const ActorNetOptions& opts);
  // obs [B, obs_dim] float32 -> actions [B, action_dim] within [low, high].
  torch::Tensor forward(torch::Tensor obs);

 private:
  std::vector<torch::nn::Linear> torso_;
  torch::nn::Linear head_{nullptr};
  torch::Tensor center_, half_range_;  // buffers, not parameters: not part of the weights blob
};
TORCH_MODULE(DeterministicActorNet);

}  // namespace shmrl::models
