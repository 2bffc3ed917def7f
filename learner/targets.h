#pragma once
// The DQN learning signal, as pure tensor functions (no state, any device), so the tests can check
// them on hand-computed batches.
//
// Records hold n-step quantities built by the actors: reward = sum_{k<n} gamma^k r_k and
// discount = gamma^n, or 0 when the episode terminated within the n steps. Truncation (time limit)
// keeps discount = gamma^n, so the target still bootstraps from the stored next observation.
#include <torch/torch.h>

namespace shmrl::learner {

// Double DQN target y = reward + discount * Q_target(s', argmax_a Q_online(s', a)).
// reward, discount: [B] float; q_next_online, q_next_target: [B, A]. Returns [B], no grad.
// Where discount == 0 the bootstrap term is exactly 0 (even if Q_target is not finite).
torch::Tensor double_dqn_targets(const torch::Tensor& reward, const torch::Tensor& discount,
                                 const torch::Tensor& q_next_online,
                                 const torch::Tensor& q_next_target);

// Plain DQN target y = reward + discount * max_a Q_target(s', a). Same shapes and contract.
torch::Tensor dqn_targets(const torch::Tensor& reward, const torch::Tensor& discount,
                          const torch::Tensor& q_next_target);

// Importance-weighted Huber loss: mean_i w_i * huber_kappa(td_i), with huber_kappa(x) = x^2 / 2 for
// |x| <= kappa and kappa (|x| - kappa / 2) beyond. td, weights: [B]. kappa > 0. Scalar result.
torch::Tensor weighted_huber_loss(const torch::Tensor& td, const torch::Tensor& weights,
                                  double kappa = 1.0);

}  // namespace shmrl::learner
