#include "models/qnet.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "models/torso.h"

namespace shmrl::models {

void QNetOptions::validate() const {
  if (obs_dim <= 0)
    throw std::invalid_argument("QNet: obs_dim = " + std::to_string(obs_dim) + ", must be > 0");
  if (num_actions <= 0)
    throw std::invalid_argument("QNet: num_actions = " + std::to_string(num_actions) +
                                ", must be > 0");
  for (std::size_t i = 0; i < hidden.size(); ++i)
    if (hidden[i] <= 0)
      throw std::invalid_argument("QNet: hidden[" + std::to_string(i) + "] = " +
                                  std::to_string(hidden[i]) + ", every layer size must be > 0");
}

QNetImpl::QNetImpl(const QNetOptions& opts) : opts_(opts) {
  opts_.validate();
  int64_t in = opts_.obs_dim;
  torso_ = register_torso(*this, in, opts_.hidden);
  head_ = register_module("head", torch::nn::Linear(in, opts_.num_actions));
  if (opts_.dueling) value_ = register_module("value", torch::nn::Linear(in, 1));
}

torch::Tensor QNetImpl::forward(torch::Tensor x) {
  x = torso_forward(torso_, x);
  auto a = head_->forward(x);
  if (!opts_.dueling) return a;
  // Dueling aggregation: subtracting the mean advantage makes V and A identifiable.
  return value_->forward(x) + a - a.mean(1, /*keepdim=*/true);
}

}  // namespace shmrl::models
