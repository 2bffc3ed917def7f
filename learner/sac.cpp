#include "learner/sac.h"

#include "learner/continuous_targets.h"
#include "learner/optim.h"

namespace shmrl::learner {

SacLearner::SacLearner(const models::ActorNetOptions& net, const ActorCriticOptions& opts,
                       torch::Device device, ProcessGroup* group)
    : ActorCriticLearner(Algorithm::Sac, net, opts, device, group),
      nets_(net, opts.init_alpha),
      target_(net.obs_dim, static_cast<int64_t>(net.low.size()), net.hidden),
      target_entropy_(-static_cast<double>(net.low.size())) {
  {
    torch::NoGradGuard no_grad;
    auto dst = target_->parameters(), src = nets_->critic->parameters();
    for (std::size_t i = 0; i < dst.size(); ++i) dst[i].copy_(src[i]);
  }
  critic_params_ = nets_->critic->parameters();
  actor_params_ = nets_->actor->parameters();
  std::vector<std::pair<std::vector<torch::Tensor>, double>> groups{{critic_params_, opts_.critic_lr},
                                                                    {actor_params_, opts_.actor_lr}};
  if (opts_.auto_alpha) groups.push_back({{nets_->log_alpha}, opts_.alpha_lr});
  else nets_->log_alpha.set_requires_grad(false);
  adopt(nets_.ptr(), target_.ptr(), groups);
}

StepResult SacLearner::step(const Batch& b, bool stop) {
  const auto obs = flat(b.obs), next_obs = flat(b.next_obs);
  const auto action = b.action.to(torch::kFloat32);
  const auto alpha = nets_->log_alpha.detach().exp();
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    auto [next_action, next_log_prob] =
        nets_->actor->sample(next_obs, torch::randn({next_obs.size(0), low_.size(0)}, obs.options()));
    auto [q1_next, q2_next] = target_->forward(next_obs, next_action);
    y = sac_targets(b.reward, b.discount, q1_next, q2_next, next_log_prob, alpha);
  }
  auto [q1, q2] = nets_->critic->forward(obs, action);
  auto critic_loss = twin_critic_loss(q1, q2, y, b.weights);

  auto [new_action, log_prob] =
      nets_->actor->sample(obs, torch::randn({obs.size(0), low_.size(0)}, obs.options()));
  auto [q1_pi, q2_pi] = nets_->critic->forward(obs, new_action);
  auto actor_loss = (alpha * log_prob - torch::min(q1_pi, q2_pi)).mean();

  optim_->zero_grad();
  // Into the actor's parameters only: the critics' .grad is the critic loss's alone.
  actor_loss.backward({}, /*retain_graph=*/false, /*create_graph=*/false, actor_params_);
  if (opts_.auto_alpha) (critic_loss + alpha_loss(nets_->log_alpha, log_prob, target_entropy_)).backward();
  else critic_loss.backward();

  const double votes = reduce_gradients(stop);
  const double loss = critic_loss.item<double>();
  const auto td = ((q1.detach() - y).abs() + (q2.detach() - y).abs()).mul_(0.5).to(torch::kCPU, torch::kFloat32);
  // Someone is stopping: nobody steps, replicas stay equal.
  if (votes > 0) return host_step_result(false, loss, 0, td);
  const double grad_norm = clip(critic_params_);
  clip(actor_params_);
  fused_adam_step(*optim_, adam_steps_);
  ++updates_;
  polyak_update(target_->parameters(), critic_params_, opts_.tau);
  return host_step_result(true, loss, grad_norm, td);
}

}  // namespace shmrl::learner
