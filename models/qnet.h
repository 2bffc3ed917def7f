#pragma once
// The Q-network shared by actors (inference) and learners (training): an MLP torso with ReLU and
// either a plain linear head or a dueling head (Q = V + A - mean(A)). Includes LibTorch: only torch
// code (models/, the actors' policies, learner/) includes this header.
//
// Parameter names and their order (what the weights blob fingerprints) are fixed by the constructor:
// torso0, torso1, ... then head (advantage stream when dueling), then value (dueling only).
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace shmrl::models {

struct QNetOptions {
  int64_t obs_dim = 0;          // > 0: flattened observation size
  int64_t num_actions = 0;      // > 0
  std::vector<int64_t> hidden;  // each > 0; may be empty (a linear Q-function)
  bool dueling = false;
  // Throws std::invalid_argument naming the offending field.
  void validate() const;
};

class QNetImpl : public torch::nn::Module {
 public:
  explicit QNetImpl(const QNetOptions& opts);
  // obs [B, obs_dim] float32 -> Q values [B, num_actions]. Any device the module is on.
  torch::Tensor forward(torch::Tensor obs);

  const QNetOptions& options() const { return opts_; }
  const std::vector<torch::nn::Linear>& torso() const { return torso_; }
  // The advantage stream when dueling, else the Q head.
  const torch::nn::Linear& head() const { return head_; }
  // Dueling only (empty holder otherwise).
  const torch::nn::Linear& value() const { return value_; }

 private:
  QNetOptions opts_;
  std::vector<torch::nn::Linear> torso_;
  torch::nn::Linear head_{nullptr}, value_{nullptr};
};
TORCH_MODULE(QNet);

}  // namespace shmrl::models
