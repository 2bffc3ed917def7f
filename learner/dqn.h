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
#include <memory>

#include <torch/torch.h>

#include "learner/checkpoint.h"
#include "learner/distributed.h"
#include "models/q_model.h"

namespace c10 {
class Event;
}

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

// One training batch on the learner's device (row i of every tensor is one n-step record).
struct Batch {
  torch::Tensor obs;       // [B, ...] obs dtype
  torch::Tensor action;    // [B] integer
  torch::Tensor reward;    // [B] float32: n-step discounted return
  torch::Tensor discount;  // [B] float32: gamma^n, 0 after termination
  torch::Tensor next_obs;  // [B, ...] obs dtype
  torch::Tensor weights;   // [B] float32 importance-sampling weights
};

// What one update produced. `applied` is known when step() returns; loss, gradient norm and TD
// errors arrive on the host by one asynchronous device-to-host copy (CUDA; on the CPU they are
// there at once). The accessors wait for that copy the first time (ready() says whether they would).
class StepResult {
 public:
  bool applied = false;  // false: a rank asked to stop, no rank changed its parameters

  double loss() const;                // this rank's loss
  double grad_norm() const;           // global gradient norm before clipping (0 when not applied)
  torch::Tensor td_abs() const;       // [B] float32 on the CPU: |y - Q(s, a)| of this rank's batch
  bool ready() const;                 // the copy has completed (never waits)

 private:
  friend class DqnLearner;
  const torch::Tensor& host() const;  // waits for the copy, then [loss, grad norm, |td|...]
  torch::Tensor host_;                // [2 + B] float32 on the host (pinned on CUDA)
  std::shared_ptr<c10::Event> copied_;  // CUDA: recorded after the copy; null on the CPU
};

class DqnLearner {
 public:
  // Builds online and target networks with `factory` on `device`, target = online. `group` may be
  // null (single learner); with a group, call sync_replicas() before the first step.
  DqnLearner(const models::QModelFactory& factory, const DqnOptions& opts, torch::Device device,
             ProcessGroup* group = nullptr);

  // Copies rank 0's online and target parameters to every rank (after construction or a resume).
  // Collective.
  void sync_replicas();

  // One update, queued on the device's current stream. `stop` is this rank's wish to stop; it
  // travels with the gradients, and if any rank wished to stop no rank applies the update (all
  // return applied = false, parameters unchanged), so replicas stay identical and all ranks leave
  // the loop together. The batch's tensors may be reused once the returned result is ready().
  // Collective.
  StepResult step(const Batch& batch, bool stop = false);

  // Every rank wants to stop but this one has no batch: joins the final round with zero gradients.
  // Collective; afterwards the caller leaves its loop.
  void stop_round();

  uint64_t updates() const { return updates_; }
  void set_updates(uint64_t n) { updates_ = n; }
  models::QModel& online() { return online_; }
  models::QModel& target() { return target_; }
  torch::optim::Adam& optimizer() { return *optim_; }
  torch::Device device() const { return device_; }
  CheckpointState checkpoint_state() {
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
  torch::Tensor adam_step_;  // the step count, float32 on the device, as the fused kernel reads it
  uint64_t updates_ = 0;
};

}  // namespace shmrl::learner
