#pragma once
// Soft Actor-Critic (Haarnoja et al. 2018, with the automatic temperature of the 2019 version):
// twin critics with Polyak-averaged targets, a squashed Gaussian policy with the tanh
// log-probability correction, and the temperature alpha tuned towards the target entropy -|A|
// (or fixed). On n-step records with importance weights; one Adam group per network.
//
// One update: the critic target from the target critics at a' ~ pi(s'); the critic loss; the actor
// loss alpha log pi(a|s) - min(Q1, Q2)(s, a), a ~ pi(s), against the critics before this update;
// the temperature loss; one all-reduce of all gradients; per-network clipping; one Adam step; the
// Polyak update of the target critics.
//
// Threading: one thread (the training loop) owns a SacLearner.
#include "learner/actor_critic.h"

namespace shmrl::learner {

class SacLearner final : public ActorCriticLearner {
 public:
  // Throws std::invalid_argument naming the learner.* key of a bad option.
  SacLearner(const models::ActorNetOptions& net, const ActorCriticOptions& opts, torch::Device device,
             ProcessGroup* group = nullptr);

  StepResult step(const Batch& batch, bool stop = false) override;
  torch::nn::Module& policy() override { return *nets_->actor; }

  models::SacNetsImpl& nets() { return *nets_; }
  models::TwinCriticImpl& target_critic() { return *target_; }
  double alpha() const { return nets_->log_alpha.exp().item<double>(); }
  double target_entropy() const { return target_entropy_; }

 private:
  models::SacNets nets_;
  models::TwinCritic target_;
  std::vector<torch::Tensor> critic_params_, actor_params_;
  double target_entropy_;
};

}  // namespace shmrl::learner
