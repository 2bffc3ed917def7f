#pragma once
// The MLP torso every network here starts with: Linear layers named torso0, torso1, ... (the names
// and order the weights blob fingerprints), each followed by ReLU.
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <string>
#include <vector>

namespace shmrl::models {

// Registers hidden.size() layers on `owner`, from `in` inputs; returns them. `in` becomes the
// last layer's width (the head's input). Call from the owner's constructor.
inline std::vector<torch::nn::Linear> register_torso(torch::nn::Module& owner, int64_t& in,
                                                     const std::vector<int64_t>& hidden) {
  std::vector<torch::nn::Linear> layers;
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    layers.push_back(owner.register_module("torso" + std::to_string(i), torch::nn::Linear(in, hidden[i])));
    in = hidden[i];
  }
  return layers;
}

inline torch::Tensor torso_forward(std::vector<torch::nn::Linear>& layers, torch::Tensor x) {
  for (auto& layer : layers) x = torch::relu(layer->forward(x));
  return x;
}

}  // namespace shmrl::models
