#pragma once
// The Nature-DQN convolutional Q-network (Mnih et al. 2015) for 84x84 frame stacks: conv 32x8x8/4,
// 64x4x4/2, 64x3x3/1, linear 512, then a linear or dueling head. Takes uint8 pixels [B, C, 84, 84]
// (scaled to [0, 1] inside) so batches travel as bytes. Used by the learner benchmark.
#include <cstdint>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "models/q_model.h"

namespace shmrl::models {

struct NatureCnnOptions {
  int64_t in_channels = 4;   // stacked frames, > 0
  int64_t num_actions = 18;  // > 0
  bool dueling = true;
  void validate() const;     // std::invalid_argument naming the field
};

class NatureCnnImpl : public torch::nn::Module {
 public:
  explicit NatureCnnImpl(const NatureCnnOptions& opts);
  // x: [B, in_channels, 84, 84], uint8 (or float already in [0, 1]) -> Q [B, num_actions].
  torch::Tensor forward(torch::Tensor x);

 private:
  NatureCnnOptions opts_;
  torch::nn::Conv2d c1_{nullptr}, c2_{nullptr}, c3_{nullptr};
  torch::nn::Linear fc_{nullptr}, head_{nullptr}, value_{nullptr};
};
TORCH_MODULE(NatureCnn);

// "nature_cnn channels=4 actions=18 dueling=1": what checkpoints record.
std::string nature_cnn_arch(const NatureCnnOptions& opts);
// Inverse of nature_cnn_arch; std::nullopt for any other string (a QNet's, say).
std::optional<NatureCnnOptions> parse_nature_cnn_arch(const std::string& arch);
// arch: nature_cnn_arch(opts).
QModelFactory nature_cnn_factory(const NatureCnnOptions& opts);

}  // namespace shmrl::models
