#pragma once
// TD3 (Fujimoto et al. 2018): twin critics with clipped double-Q targets, target policy smoothing
// (Gaussian noise on the target actor's action, clipped, the action clipped to the bounds), and
// delayed actor and target updates: the actor and all targets move once every policy_delay
// critic updates. On n-step records with importance weights; one Adam group per network.
// Exploration noise is added by the actors (actors/policy.h).
//
// Threading: one thread (the training loop) owns a Td3Learner.
#include "learner/actor_critic.h"

namespace shmrl::learner {

class Td3Learner final : public ActorCriticLearner {
 public:
  // Throws std::invalid_argument naming the learner.* key of a bad option.
  Td3Learner(const models::ActorNetOptions& net, const ActorCriticOptions& opts, torch::Device device,
             ProcessGroup* group = nullptr);

  StepResult step(const Batch& batch, bool stop = false) override;
  torch::nn::Module& policy() override { return *nets_->actor; }

  models::Td3NetsImpl& nets() { return *nets_; }
  models::Td3NetsImpl& target() { return *target_; }
  // Actor updates applied so far (one per policy_delay updates).
  uint64_t actor_updates() const { return actor_updates_; }

 private:
  models::Td3Nets nets_, target_;
  std::vector<torch::Tensor> critic_params_, actor_params_;
  uint64_t actor_updates_ = 0;
};

}  // namespace shmrl::learner
