#include "models/actor_net.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "models/torso.h"

namespace shmrl::models {

void ActorNetOptions::validate() const {
  if (obs_dim <= 0)
    throw std::invalid_argument("actor net: obs_dim = " + std::to_string(obs_dim) + ", must be > 0");
  if (low.empty() || low.size() != high.size())
    throw std::invalid_argument("actor net: action bounds need one low and one high per dimension");
  for (std::size_t i = 0; i < low.size(); ++i)
    if (!std::isfinite(low[i]) || !std::isfinite(high[i]) || !(low[i] < high[i]))
      throw std::invalid_argument("actor net: action bound " + std::to_string(i) + " is [" +
                                  std::to_string(low[i]) + ", " + std::to_string(high[i]) +
                                  "], needs finite low < high");
  for (std::size_t i = 0; i < hidden.size(); ++i)
    if (hidden[i] <= 0)
      throw std::invalid_argument("actor net: hidden[" + std::to_string(i) + "] = " +
                                  std::to_string(hidden[i]) + ", must be > 0");
}

DeterministicActorNetImpl::DeterministicActorNetImpl(const ActorNetOptions& opts) {
  opts.validate();
  int64_t in = opts.obs_dim;
  torso_ = register_torso(*this, in, opts.hidden);
  const auto dims = static_cast<int64_t>(opts.low.size());
  head_ = register_module("head", torch::nn::Linear(in, dims));
  auto low = torch::tensor(opts.low), high = torch::tensor(opts.high);
  center_ = register_buffer("center", (high + low) / 2);
  half_range_ = register_buffer("half_range", (high - low) / 2);
}

torch::Tensor DeterministicActorNetImpl::forward(torch::Tensor x) {
  x = torso_forward(torso_, x);
  return center_ + half_range_ * torch::tanh(head_->forward(x));
}

}  // namespace shmrl::models
