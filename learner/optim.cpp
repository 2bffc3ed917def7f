#include "learner/optim.h"

#include <stdexcept>

namespace shmrl::learner {

torch::Tensor clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return torch::zeros({}, params.empty() ? torch::TensorOptions() : params[0].options());
  auto norm = torch::linalg_vector_norm(torch::stack(at::_foreach_norm(grads, 2)), 2);
  auto scale = norm.add(1e-6).reciprocal().mul_(max_norm).clamp_max_(1.0);
  at::_foreach_mul_(grads, scale);
  return norm;
}

void fused_adam_step(torch::optim::Adam& optim, std::vector<torch::Tensor>& step_counts) {
  torch::NoGradGuard no_grad;
  step_counts.resize(optim.param_groups().size());
  for (std::size_t g = 0; g < optim.param_groups().size(); ++g) {
    auto& group = optim.param_groups()[g];
    const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
    if (o.amsgrad()) throw std::invalid_argument("fused_adam_step: amsgrad is not supported");
    std::vector<torch::Tensor> params, grads, exp_avg, exp_avg_sq;
    int64_t step = 0;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& slot = optim.state()[p.unsafeGetTensorImpl()];
      if (!slot) {
        auto s = std::make_unique<torch::optim::AdamParamState>();
        s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        slot = std::move(s);
      }
      auto& s = static_cast<torch::optim::AdamParamState&>(*slot);
      s.step(s.step() + 1);
      step = std::max(step, s.step());
      params.push_back(p);
      grads.push_back(p.grad());
      exp_avg.push_back(s.exp_avg());
      exp_avg_sq.push_back(s.exp_avg_sq());
    }
    if (params.empty()) continue;
    auto& count = step_counts[g];
    if (!count.defined() || count.device() != params[0].device())
      count = torch::zeros({}, params[0].options().dtype(torch::kFloat32));
    // A group's parameters step together (they have gradients in the same updates): one count each.
    count.fill_(static_cast<double>(step));
    const std::vector<torch::Tensor> steps(params.size(), count);
    at::_fused_adam_(params, grads, exp_avg, exp_avg_sq, /*max_exp_avg_sqs=*/{}, steps, o.lr(),
                     std::get<0>(o.betas()), std::get<1>(o.betas()), o.weight_decay(), o.eps(),
                     /*amsgrad=*/false, /*maximize=*/false);
  }
}

}  // namespace shmrl::learner
