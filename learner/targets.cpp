#include "learner/targets.h"

namespace shmrl::learner {
namespace {
torch::Tensor bootstrap(const torch::Tensor& reward, const torch::Tensor& discount,
                        const torch::Tensor& next_value) {
  // torch::where instead of a plain product so a terminal record never picks up 0 * inf = NaN.
  auto term = torch::where(discount > 0, discount * next_value, torch::zeros_like(next_value));
  return reward + term;
}
}  // namespace

torch::Tensor double_dqn_targets(const torch::Tensor& reward, const torch::Tensor& discount,
                                 const torch::Tensor& q_next_online,
                                 const torch::Tensor& q_next_target) {
  torch::NoGradGuard no_grad;
  auto best = q_next_online.argmax(1, /*keepdim=*/true);
  auto next_value = q_next_target.gather(1, best).squeeze(1);
  return bootstrap(reward, discount, next_value);
}

torch::Tensor dqn_targets(const torch::Tensor& reward, const torch::Tensor& discount,
                          const torch::Tensor& q_next_target) {
  torch::NoGradGuard no_grad;
  return bootstrap(reward, discount, std::get<0>(q_next_target.max(1)));
}

torch::Tensor weighted_huber_loss(const torch::Tensor& td, const torch::Tensor& weights,
                                  double kappa) {
  TORCH_CHECK(kappa > 0, "weighted_huber_loss: kappa must be > 0, got ", kappa);
  // huber_loss(..., delta) is delta * smooth_l1 scaled; 'none' keeps per-item values to weight.
  auto per_item = torch::huber_loss(td, torch::zeros_like(td), at::Reduction::None, kappa);
  return (weights * per_item).mean();
}

}  // namespace shmrl::learner
