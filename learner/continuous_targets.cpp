#include "learner/continuous_targets.h"

#include <stdexcept>

namespace shmrl::learner {
namespace {
torch::Tensor bootstrap(const torch::Tensor& reward, const torch::Tensor& discount,
                        const torch::Tensor& next_value) {
  // torch::where, not a product: a terminal record never picks up 0 * inf = NaN.
  return reward + torch::where(discount > 0, discount * next_value, torch::zeros_like(next_value));
}
}  // namespace

torch::Tensor sac_targets(const torch::Tensor& reward, const torch::Tensor& discount,
                          const torch::Tensor& q1_next, const torch::Tensor& q2_next,
                          const torch::Tensor& next_log_prob, const torch::Tensor& alpha) {
  torch::NoGradGuard no_grad;
  return bootstrap(reward, discount, torch::min(q1_next, q2_next) - alpha * next_log_prob);
}

torch::Tensor td3_targets(const torch::Tensor& reward, const torch::Tensor& discount,
                          const torch::Tensor& q1_next, const torch::Tensor& q2_next) {
  torch::NoGradGuard no_grad;
  return bootstrap(reward, discount, torch::min(q1_next, q2_next));
}

torch::Tensor smoothed_target_actions(const torch::Tensor& mu_next, const torch::Tensor& noise,
                                      const torch::Tensor& noise_clip, const torch::Tensor& low,
                                      const torch::Tensor& high) {
  torch::NoGradGuard no_grad;
  auto clipped = torch::max(torch::min(noise, noise_clip), -noise_clip);
  return torch::max(torch::min(mu_next + clipped, high), low);
}

torch::Tensor twin_critic_loss(const torch::Tensor& q1, const torch::Tensor& q2,
                               const torch::Tensor& target, const torch::Tensor& weights) {
  auto d1 = q1 - target, d2 = q2 - target;
  return (weights * (d1 * d1 + d2 * d2)).mean() * 0.5;
}

torch::Tensor alpha_loss(const torch::Tensor& log_alpha, const torch::Tensor& log_prob,
                         double target_entropy) {
  return -(log_alpha * (log_prob.detach() + target_entropy)).mean();
}

void polyak_update(const std::vector<torch::Tensor>& target, const std::vector<torch::Tensor>& online,
                   double tau) {
  if (target.size() != online.size())
    throw std::invalid_argument("polyak_update: " + std::to_string(target.size()) + " target tensors, " +
                                std::to_string(online.size()) + " online");
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < target.size(); ++i) target[i].lerp_(online[i], tau);
}

}  // namespace shmrl::learner
