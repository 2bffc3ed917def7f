#pragma once
// What a SAC or TD3 learner trains, each as one module so that a checkpoint, the replica broadcast
// and the optimizer see all of it: the actor (what actors run and the weight board carries), the
// twin critics and, for SAC, the entropy temperature log(alpha). Plus the architecture string that
// checkpoints and policy.json record. Includes LibTorch: torch code only.
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/algorithm.h"
#include "common/spaces.h"
#include "models/actor_net.h"
#include "models/gaussian_actor.h"
#include "models/twin_critic.h"

namespace shmrl::models {

// ActorNetOptions for an env's spaces: obs a float32 Box, actions a bounded float32 Box.
// Throws std::invalid_argument naming what does not fit.
ActorNetOptions actor_net_options_for(const Space& obs_space, const Space& action_space,
                                      const std::vector<int64_t>& hidden);

// "sac obs_dim=3 actions=1 hidden=256,256" (algorithm Sac or Td3; the bounds are not part of it:
// they come from the env and travel as buffers).
std::string actor_critic_arch(Algorithm algorithm, const ActorNetOptions& opts);
struct ActorCriticArch {
  Algorithm algorithm;
  int64_t obs_dim, action_dim;
  std::vector<int64_t> hidden;
};
// Inverse of actor_critic_arch; std::nullopt for any other string (a QNet's, say).
std::optional<ActorCriticArch> parse_actor_critic_arch(const std::string& arch);

class SacNetsImpl : public torch::nn::Module {
 public:
  // log_alpha starts at log(init_alpha) (init_alpha > 0).
  SacNetsImpl(const ActorNetOptions& opts, double init_alpha);
  GaussianActorNet actor{nullptr};
  TwinCritic critic{nullptr};
  torch::Tensor log_alpha;  // [1], a parameter
};
TORCH_MODULE(SacNets);

class Td3NetsImpl : public torch::nn::Module {
 public:
  explicit Td3NetsImpl(const ActorNetOptions& opts);
  DeterministicActorNet actor{nullptr};
  TwinCritic critic{nullptr};
};
TORCH_MODULE(Td3Nets);

}  // namespace shmrl::models
