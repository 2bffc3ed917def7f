#include "learner/actor_critic.h"

#include <cmath>
#include <string>

#include "common/toml_reader.h"

namespace shmrl::learner {

void ActorCriticOptions::validate(Algorithm algorithm) const {
  auto positive = [](const char* key, double v) {
    if (!(v > 0 && std::isfinite(v))) bad_option(key, to_text(v), "a finite number > 0");
  };
  positive("learner.lr", critic_lr);
  positive("learner.actor_lr", actor_lr);
  positive("learner.adam_eps", adam_eps);
  positive("learner.grad_clip_norm", grad_clip_norm);
  if (!(tau > 0 && tau <= 1)) bad_option("learner.critic_tau", to_text(tau), "in (0, 1]");
  if (algorithm == Algorithm::Sac) {
    positive("learner.sac_alpha", init_alpha);
    if (auto_alpha) positive("learner.alpha_lr", alpha_lr);
  }
  if (algorithm == Algorithm::Td3) {
    if (policy_delay < 1) bad_option("learner.td3_policy_delay", to_text(policy_delay), ">= 1");
    if (!(target_noise >= 0 && std::isfinite(target_noise)))
      bad_option("learner.td3_target_noise", to_text(target_noise), "a finite number >= 0");
    if (!(noise_clip >= 0 && std::isfinite(noise_clip)))
      bad_option("learner.td3_noise_clip", to_text(noise_clip), "a finite number >= 0");
  }
}

ActorCriticLearner::ActorCriticLearner(Algorithm algorithm, const models::ActorNetOptions& net,
                                       const ActorCriticOptions& opts, torch::Device device,
                                       ProcessGroup* group)
    : opts_(opts), device_(device), group_(group), arch_(models::actor_critic_arch(algorithm, net)) {
  opts_.validate(algorithm);
  low_ = torch::tensor(net.low).to(device_);
  high_ = torch::tensor(net.high).to(device_);
  half_range_ = (high_ - low_) / 2;
}

void ActorCriticLearner::adopt(std::shared_ptr<torch::nn::Module> online,
                               std::shared_ptr<torch::nn::Module> target,
                               const std::vector<std::pair<std::vector<torch::Tensor>, double>>& groups) {
  online_ = std::move(online);
  target_ = std::move(target);
  online_->to(device_);
  target_->to(device_);
  // Targets are never trained: no autograd graph through them.
  for (auto& p : target_->parameters()) p.set_requires_grad(false);
  std::vector<torch::optim::OptimizerParamGroup> pg;
  for (const auto& [params, lr] : groups) {
    params_.insert(params_.end(), params.begin(), params.end());
    pg.emplace_back(params, std::make_unique<torch::optim::AdamOptions>(
                                torch::optim::AdamOptions(lr).eps(opts_.adam_eps)));
  }
  optim_ = std::make_unique<torch::optim::Adam>(std::move(pg), torch::optim::AdamOptions(opts_.critic_lr));
}

void ActorCriticLearner::sync_replicas() {
  if (!group_) return;
  group_->broadcast(online_->parameters());
  group_->broadcast(target_->parameters());
}

double ActorCriticLearner::reduce_gradients(bool stop) {
  lap(stages::Learner::ForwardBackward);
  double vote = stop ? 1.0 : 0.0;
  if (group_) vote = group_->average_gradients(params_, vote);
  lap(stages::Learner::AllReduce);
  return vote;
}

void ActorCriticLearner::stop_round() {
  optim_->zero_grad();
  for (auto& p : params_) p.mutable_grad() = torch::zeros_like(p);
  reduce_gradients(true);
}

double ActorCriticLearner::clip(const std::vector<torch::Tensor>& params) {
  return torch::nn::utils::clip_grad_norm_(params, opts_.grad_clip_norm);
}

torch::Tensor ActorCriticLearner::flat(const torch::Tensor& obs) {
  return obs.reshape({obs.size(0), -1}).to(torch::kFloat32);
}

}  // namespace shmrl::learner
