#pragma once
// The Ape-X DQN update: double DQN on n-step records, importance-weighted Huber loss, Adam,
// global gradient-norm clipping, a target network refreshed every T updates (or Polyak-averaged
// with tau), and gradients averaged over all learner ranks before the optimizer step.
//
// On a GPU an update is a short, fixed sequence of kernels the host never waits for: Adam is
// LibTorch's fused kernel (one launch for all parameters, not one per tensor), the clipping norm and
// scale are multi-tensor ops that stay on the device, and loss, gradient norm and TD errors travel
// to the host in ONE asynchronous copy that the caller reads when it needs them (typically one
// update later). A single learner then never synchronises with the device inside step(); several
// learners read the stop vote of the all-reduce (one sync).
//
// Threading: one thread (the training loop) owns a DqnLearner.
#include <cstdint>

#include <torch/torch.h>

#include "learner/algorithm.h"
#include "learner/checkpoint.h"
#include "learner/distributed.h"
#include "models/q_model.h"

namespace shmrl::learner {

// Filled from LearnerOptions (process.cpp); config defaults live only in the schema, none here.
struct DqnOptions {
  double lr = 0;                      // > 0
  double adam_eps = 0;                // > 0
  double grad_clip_norm = 0;          // > 0
  int64_t target_update_period = 0;   // >= 0; 0 = Polyak with tau after every update
  double tau = 0;                     // (0, 1] when target_update_period == 0
  bool double_dqn = false;
  double huber_kappa = 0;             // > 0
  void validate() const;              // std::invalid_argument naming the learner.* key (schema rows)
};

class DqnLearner final : public Learner {
 public:
  // Builds online and target networks with `factory` on `device`, target = online. `group` may be
  // null (single learner); with a group, call sync_replicas() before the first step.
  DqnLearner(const models::QModelFactory& factory, const DqnOptions& opts, torch::Device device,
             ProcessGroup* group = nullptr);

  // Copies rank 0's online and target parameters to every rank (after construction or a resume).
  // Collective.
  void sync_replicas() override;

  // One update, queued on the device's current stream. `stop` is this rank's wish to stop; it
  // travels with the gradients, and if any rank wished to stop no rank applies the update (all
  // return applied = false, parameters unchanged), so replicas stay identical and all ranks leave
  // the loop together. The batch's tensors may be reused once the returned result is ready().
  // Collective.
  StepResult step(const Batch& batch, bool stop = false) override;

  // Every rank wants to stop but this one has no batch: joins the final round with zero gradients.
  // Collective; afterwards the caller leaves its loop.
  void stop_round() override;

  uint64_t updates() const override { return updates_; }
  void set_updates(uint64_t n) override { updates_ = n; }
  torch::nn::Module& policy() override { return *online_.module; }
  std::string arch() const override { return online_.arch; }
  models::QModel& online() { return online_; }
  models::QModel& target() { return target_; }
  torch::optim::Adam& optimizer() { return *optim_; }
  torch::Device device() const { return device_; }
  CheckpointState checkpoint_state() override {
    return {online_.module.get(), target_.module.get(), optim_.get()};
  }

 private:
  // Sum of the ranks' stop votes, after averaging gradients.
  double reduce_gradients(bool stop);
  // Scales the gradients to a global norm <= grad_clip_norm on the device; the norm before (0-dim).
  torch::Tensor clip_gradients();
  // Adam with the optimizer's own state (so checkpoints keep their format), one fused kernel.
  void adam_step();
  void update_target();
  // Starts the copy of [loss, norm, |td|] to the host.
  StepResult finish(bool applied, const torch::Tensor& loss, const torch::Tensor& norm,
                    const torch::Tensor& td);

  DqnOptions opts_;
  torch::Device device_;
  ProcessGroup* group_;
  models::QModel online_, target_;
  std::vector<torch::Tensor> params_, target_params_;
  std::unique_ptr<torch::optim::Adam> optim_;
  std::vector<torch::Tensor> adam_steps_;  // the step count, float32 on the device, as the fused kernel reads it
  uint64_t updates_ = 0;
};

}  // namespace shmrl::learner
