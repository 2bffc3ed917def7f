#include "learner/dqn.h"

#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "common/config_schema.h"
#include "common/toml_reader.h"
#include "learner/optim.h"
#include "learner/targets.h"

namespace shmrl::learner {
namespace {
// One multi-tensor copy for the parameters (one kernel on CUDA), then any buffers.
void copy_parameters(torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  at::_foreach_copy_(to.parameters(), from.parameters());
  auto bsrc = from.buffers(), bdst = to.buffers();
  for (std::size_t i = 0; i < bsrc.size(); ++i) bdst[i].copy_(bsrc[i]);
}
}  // namespace

void DqnOptions::validate() const {
  check_key("learner.lr", lr);
  check_key("learner.adam_eps", adam_eps);
  check_key("learner.grad_clip_norm", grad_clip_norm);
  check_key("learner.target_update_period", target_update_period);
  check_key("learner.tau", tau);
  if (target_update_period == 0 && !(tau > 0))
    bad_option("learner.tau", to_text(tau), "in (0, 1] when learner.target_update_period = 0 (Polyak averaging)");
  check_key("learner.huber_kappa", huber_kappa);
}

DqnLearner::DqnLearner(const models::QModelFactory& factory, const DqnOptions& opts, torch::Device device,
                       ProcessGroup* group)
    : opts_(opts), device_(device), group_(group), online_(factory()), target_(factory()) {
  opts_.validate();
  online_.module->to(device_);
  target_.module->to(device_);
  copy_parameters(*online_.module, *target_.module);
  // The target network is never trained: no autograd graph through it.
  for (auto& p : target_.module->parameters()) p.set_requires_grad(false);
  params_ = online_.module->parameters();
  target_params_ = target_.module->parameters();
  optim_ = std::make_unique<torch::optim::Adam>(
      params_, torch::optim::AdamOptions(opts_.lr).eps(opts_.adam_eps));
}

void DqnLearner::sync_replicas() {
  if (!group_) return;
  group_->broadcast(online_.module->parameters());
  group_->broadcast(target_.module->parameters());
}

double DqnLearner::reduce_gradients(bool stop) {
  double vote = stop ? 1.0 : 0.0;
  if (!group_) return vote;
  return group_->average_gradients(params_, vote);
}

StepResult DqnLearner::step(const Batch& b, bool stop) {
  const auto action = b.action.to(torch::kInt64).unsqueeze(1);
  torch::Tensor target_y;
  {
    torch::NoGradGuard no_grad;
    auto q_next_target = target_.forward(b.next_obs);
    target_y = opts_.double_dqn
                   ? double_dqn_targets(b.reward, b.discount, online_.forward(b.next_obs),
                                        q_next_target)
                   : dqn_targets(b.reward, b.discount, q_next_target);
  }
  auto q_sa = online_.forward(b.obs).gather(1, action).squeeze(1);
  auto td = target_y - q_sa;
  auto loss = weighted_huber_loss(td, b.weights, opts_.huber_kappa);

  optim_->zero_grad();
  loss.backward();
  const double votes = reduce_gradients(stop);
  // Someone is stopping: nobody steps, replicas stay equal.
  if (votes > 0) return finish(false, loss, torch::zeros({}, loss.options()), td);
  auto norm = clip_grad_norm(params_, opts_.grad_clip_norm);
  fused_adam_step(*optim_, adam_steps_);
  ++updates_;
  update_target();
  return finish(true, loss, norm, td);
}

StepResult DqnLearner::finish(bool applied, const torch::Tensor& loss, const torch::Tensor& norm,
                              const torch::Tensor& td) {
  auto packed = torch::cat({loss.detach().reshape({1}).to(torch::kFloat32), norm.reshape({1}).to(torch::kFloat32),
                            td.detach().abs().to(torch::kFloat32)});
  if (!device_.is_cuda()) return StepResult(applied, packed);
  auto host = torch::empty(packed.sizes(), torch::TensorOptions().dtype(torch::kFloat32).pinned_memory(true));
  host.copy_(packed, /*non_blocking=*/true);
  auto copied = std::make_shared<c10::Event>(c10::DeviceType::CUDA);
  copied->record(c10::impl::VirtualGuardImpl(c10::DeviceType::CUDA).getStream(device_));
  return StepResult(applied, host, copied);
}

void DqnLearner::stop_round() {
  optim_->zero_grad();
  for (auto& p : params_) p.mutable_grad() = torch::zeros_like(p);
  reduce_gradients(true);
}

void DqnLearner::update_target() {
  if (opts_.target_update_period > 0) {
    if (updates_ % static_cast<uint64_t>(opts_.target_update_period) == 0)
      copy_parameters(*online_.module, *target_.module);
    return;
  }
  torch::NoGradGuard no_grad;
  at::_foreach_lerp_(target_params_, params_, opts_.tau);
}

}  // namespace shmrl::learner
