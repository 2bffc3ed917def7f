#include "learner/td3.h"

#include "learner/continuous_targets.h"
#include "learner/optim.h"

namespace shmrl::learner {

Td3Learner::Td3Learner(const models::ActorNetOptions& net, const ActorCriticOptions& opts,
                       torch::Device device, ProcessGroup* group)
    : ActorCriticLearner(Algorithm::Td3, net, opts, device, group), nets_(net), target_(net) {
  {
    torch::NoGradGuard no_grad;
    auto dst = target_->parameters(), src = nets_->parameters();
    for (std::size_t i = 0; i < dst.size(); ++i) dst[i].copy_(src[i]);
  }
  critic_params_ = nets_->critic->parameters();
  actor_params_ = nets_->actor->parameters();
  adopt(nets_.ptr(), target_.ptr(), {{critic_params_, opts_.critic_lr}, {actor_params_, opts_.actor_lr}});
}

StepResult Td3Learner::step(const Batch& b, bool stop) {
  const auto obs = flat(b.obs), next_obs = flat(b.next_obs);
  const auto action = b.action.to(torch::kFloat32);
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    auto mu_next = target_->actor->forward(next_obs);
    auto noise = torch::randn_like(mu_next) * (half_range_ * opts_.target_noise);
    auto next_action = smoothed_target_actions(mu_next, noise, half_range_ * opts_.noise_clip, low_, high_);
    auto [q1_next, q2_next] = target_->critic->forward(next_obs, next_action);
    y = td3_targets(b.reward, b.discount, q1_next, q2_next);
  }
  auto [q1, q2] = nets_->critic->forward(obs, action);
  auto critic_loss = twin_critic_loss(q1, q2, y, b.weights);
  // The update this step completes is updates_ + 1; the actor moves on every policy_delay-th.
  const bool actor_step = (updates_ + 1) % static_cast<uint64_t>(opts_.policy_delay) == 0;

  optim_->zero_grad();
  if (actor_step) {
    // Into the actor's parameters only: the critics' .grad is the critic loss's alone.
    auto actor_loss = -nets_->critic->q1(obs, nets_->actor->forward(obs)).mean();
    actor_loss.backward({}, /*retain_graph=*/false, /*create_graph=*/false, actor_params_);
  }
  critic_loss.backward();

  const double votes = reduce_gradients(stop);
  const double loss = critic_loss.item<double>();
  const auto td = ((q1.detach() - y).abs() + (q2.detach() - y).abs()).mul_(0.5).to(torch::kCPU, torch::kFloat32);
  // Someone is stopping: nobody steps, replicas stay equal.
  if (votes > 0) return host_step_result(false, loss, 0, td);
  const double grad_norm = clip(critic_params_);
  if (actor_step) {
    clip(actor_params_);
  } else {
    // The all-reduce filled in zeros; without a gradient Adam leaves the actor (and its moments) alone.
    for (auto& p : actor_params_) p.mutable_grad() = torch::Tensor();
  }
  fused_adam_step(*optim_, adam_steps_);
  ++updates_;
  if (actor_step) {
    ++actor_updates_;
    polyak_update(target_->parameters(), nets_->parameters(), opts_.tau);
  }
  return host_step_result(true, loss, grad_norm, td);
}

}  // namespace shmrl::learner
