#pragma once
// The state the continuous-action policies (SAC, TD3) share: their actor network `Net` (a models/
// module built from ActorNetOptions), frozen, reading the policy's input buffer in place; the action
// bounds; the exploration noise's generator. Internal to actors/{sac,td3}_policy.cpp (LibTorch).
//
// Threading: as Policy (one actor thread).
#include <torch/torch.h>

#include <random>

#include "actors/torch_policy.h"
#include "models/actor_net.h"
#include "models/weights_blob.h"

namespace shmrl::actors::detail {

template <class Net>
class BoxPolicy : public Policy {
 public:
  void load_weights(std::span<const std::byte> blob) override { models::load_weights_blob(*net_, blob); }
  std::vector<std::byte> save_weights() const override { return models::save_weights_blob(*net_); }

 protected:
  // Preconditions: check_box_policy(obs_space, action_space, batch) passed.
  BoxPolicy(const Space& obs_space, const Space& action_space, const PolicyOptions& opts, std::size_t batch)
      : Policy(batch, obs_space),
        // init_torch runs first: its seed decides the network's initial weights.
        net_((init_torch(opts), models::ActorNetOptions{static_cast<int64_t>(obs_space.numel()),
                                                        action_space.low, action_space.high, opts.hidden})),
        low_(action_space.low), high_(action_space.high),
        rng_(opts.seed ^ 0x9e3779b97f4a7c15ULL) {
    for (auto& p : net_->parameters()) p.requires_grad_(false);
    x_ = torch::from_blob(input(), {static_cast<int64_t>(batch), static_cast<int64_t>(obs_space.numel())},
                          torch::kFloat32);
  }

  Net net_;
  std::vector<float> low_, high_;
  std::mt19937_64 rng_;
  std::normal_distribution<float> normal_{0.0f, 1.0f};
  at::Tensor x_;  // the batch of observations, over input()
};

}  // namespace shmrl::actors::detail
