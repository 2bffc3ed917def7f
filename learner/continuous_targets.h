#pragma once
// The SAC and TD3 learning signals as pure tensor functions (no state, any device), so the tests can
// check them on hand-computed batches. Records hold n-step quantities as for DQN (targets.h):
// discount = gamma^n, or 0 when the episode terminated within the n steps (truncation bootstraps).
#include <torch/torch.h>

namespace shmrl::learner {

// SAC target y = reward + discount * (min(Q1', Q2') - alpha * log pi(a'|s')), a' ~ pi(s').
// reward, discount, q1_next, q2_next, next_log_prob: [B]; alpha a scalar tensor. [B], no grad.
// Where discount == 0 the bootstrap term is exactly 0.
torch::Tensor sac_targets(const torch::Tensor& reward, const torch::Tensor& discount,
                          const torch::Tensor& q1_next, const torch::Tensor& q2_next,
                          const torch::Tensor& next_log_prob, const torch::Tensor& alpha);

// TD3 target y = reward + discount * min(Q1'(s', a~), Q2'(s', a~)). Same contract.
torch::Tensor td3_targets(const torch::Tensor& reward, const torch::Tensor& discount,
                          const torch::Tensor& q1_next, const torch::Tensor& q2_next);

// TD3 target policy smoothing: a~ = clip(mu'(s') + clip(noise, -noise_clip, noise_clip), low, high).
// mu_next, noise: [B, A]; noise_clip, low, high: [A] (noise_clip >= 0). [B, A], no grad.
torch::Tensor smoothed_target_actions(const torch::Tensor& mu_next, const torch::Tensor& noise,
                                      const torch::Tensor& noise_clip, const torch::Tensor& low,
                                      const torch::Tensor& high);

// Importance-weighted twin-critic loss: mean_i w_i * ((Q1_i - y_i)^2 + (Q2_i - y_i)^2) / 2.
torch::Tensor twin_critic_loss(const torch::Tensor& q1, const torch::Tensor& q2,
                               const torch::Tensor& target, const torch::Tensor& weights);

// SAC's automatic temperature loss J(log alpha) = -mean_i log_alpha * (log pi_i + target_entropy),
// log_prob treated as a constant: its gradient is -mean_i (log pi_i + target_entropy), which
// raises alpha while the policy's entropy is below the target. log_alpha: [1], log_prob: [B].
torch::Tensor alpha_loss(const torch::Tensor& log_alpha, const torch::Tensor& log_prob,
                         double target_entropy);

// target <- target + tau * (online - target), element-wise for each pair, in place, no grad.
// Sizes must match pairwise; tau in (0, 1].
void polyak_update(const std::vector<torch::Tensor>& target, const std::vector<torch::Tensor>& online,
                   double tau);

}  // namespace shmrl::learner
