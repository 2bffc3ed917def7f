#pragma once
// What SAC (sac.h) and TD3 (td3.h) share: their options, one Adam with a parameter group per
// network (critics, actor, SAC's temperature: each its own learning rate and moments, as separate
// Adams would have, but one object to checkpoint), the gradient all-reduce that carries the stop
// vote, per-network gradient clipping and the replica broadcast.
//
// Threading: one thread (the training loop) owns a learner.
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "learner/algorithm.h"
#include "models/actor_critic.h"

namespace shmrl::learner {

struct ActorCriticOptions {
  double critic_lr = 0;       // learner.lr, > 0
  double actor_lr = 0;        // learner.actor_lr, > 0
  double alpha_lr = 0;        // learner.alpha_lr, > 0 (SAC with auto_alpha)
  double adam_eps = 0;        // learner.adam_eps, > 0
  double grad_clip_norm = 0;  // learner.grad_clip_norm, > 0: each network's gradient norm clipped
  double tau = 0;             // learner.critic_tau, (0, 1]: Polyak rate of the targets
  double init_alpha = 0;      // learner.sac_alpha, > 0: SAC's initial (or fixed) temperature
  bool auto_alpha = true;     // learner.sac_auto_alpha: tune alpha to the target entropy -|A|
  int64_t policy_delay = 0;   // learner.td3_policy_delay, >= 1: critic updates per actor update
  double target_noise = 0;    // learner.td3_target_noise, >= 0: smoothing std / half-range
  double noise_clip = 0;      // learner.td3_noise_clip, >= 0: smoothing clip / half-range
  // Throws std::invalid_argument naming the learner.* key.
  void validate(Algorithm algorithm) const;
};

class ActorCriticLearner : public Learner {
 public:
  void sync_replicas() override;
  void stop_round() override;
  uint64_t updates() const override { return updates_; }
  void set_updates(uint64_t n) override { updates_ = n; }
  CheckpointState checkpoint_state() override { return {online_.get(), target_.get(), optim_.get()}; }
  std::string arch() const override { return arch_; }
  torch::optim::Adam& optimizer() { return *optim_; }

 protected:
  // Validates opts (std::invalid_argument naming the key).
  ActorCriticLearner(Algorithm algorithm, const models::ActorNetOptions& net,
                     const ActorCriticOptions& opts, torch::Device device, ProcessGroup* group);
  // Called once by the derived constructor: online holds every trained parameter, target the
  // target networks (already equal to their online counterparts); both move to the device.
  // groups: each network's parameters with its learning rate, in a fixed order (the optimizer's).
  void adopt(std::shared_ptr<torch::nn::Module> online, std::shared_ptr<torch::nn::Module> target,
             const std::vector<std::pair<std::vector<torch::Tensor>, double>>& groups);
  // Averages every trained gradient over the ranks (one all-reduce); returns the stop votes.
  double reduce_gradients(bool stop);
  // Clips the gradient norm of `params` to grad_clip_norm; returns the norm before clipping.
  double clip(const std::vector<torch::Tensor>& params);
  // obs as float32 [B, obs_dim] (Box observations may come as [B, ...]).
  static torch::Tensor flat(const torch::Tensor& obs);

  ActorCriticOptions opts_;
  torch::Device device_;
  ProcessGroup* group_;
  std::string arch_;
  std::shared_ptr<torch::nn::Module> online_, target_;
  std::vector<torch::Tensor> params_;  // all trained parameters, in optimizer order
  std::unique_ptr<torch::optim::Adam> optim_;  // stepped by fused_adam_step (learner/optim.h)
  std::vector<torch::Tensor> adam_steps_;      // its scratch
  torch::Tensor low_, high_, half_range_;  // action bounds on device_, [A]
  uint64_t updates_ = 0;
};

}  // namespace shmrl::learner
