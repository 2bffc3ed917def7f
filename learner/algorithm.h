#pragma once
// The learning algorithm behind one interface (Learner), so the learner process, checkpoints, the weight
// board and the benchmarks drive DQN (dqn.h), SAC (sac.h) and TD3 (td3.h) the same way.
//
// Every implementation averages its gradients over the learner ranks with ONE all-reduce per
// update (which also carries the stop vote) and then applies the same optimizer step on every
// rank, so replicas stay bit-identical (distributed.h).
//
// Threading: one thread (the training loop) owns a Learner.
#include <cstdint>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "common/algorithm.h"
#include "common/spaces.h"
#include "common/stage_clock.h"
#include "learner/checkpoint.h"
#include "learner/distributed.h"

namespace c10 {
class Event;
}

namespace shmrl::learner {

struct LearnerOptions;

// One training batch on the learner's device (row i of every tensor is one n-step record).
struct Batch {
  torch::Tensor obs;       // [B, ...] obs dtype
  torch::Tensor action;    // [B] integer (Discrete) or [B, A] float32 (Box)
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
  StepResult() = default;
  // `host`: [loss, grad norm, |td|...] float32 on the host, complete once `copied` (null: now) has.
  StepResult(bool applied, torch::Tensor host, std::shared_ptr<c10::Event> copied = nullptr)
      : applied(applied), host_(std::move(host)), copied_(std::move(copied)) {}

  bool applied = false;  // false: a rank asked to stop, no rank changed its parameters

  double loss() const;                // this rank's (critic) loss
  double grad_norm() const;           // global (critic) gradient norm before clipping (0 when not applied)
  torch::Tensor td_abs() const;       // [B] float32 on the CPU: |y - Q(s, a)| of this rank's batch
  bool ready() const;                 // the copy has completed (never waits)

 private:
  const torch::Tensor& host() const;  // waits for the copy, then [loss, grad norm, |td|...]
  torch::Tensor host_;                // [2 + B] float32 on the host (pinned on CUDA)
  std::shared_ptr<c10::Event> copied_;  // CUDA: recorded after the copy; null on the CPU
};

// A StepResult already on the host (learners that read their results synchronously).
StepResult host_step_result(bool applied, double loss, double grad_norm, const torch::Tensor& td_abs);

class Learner {
 public:
  virtual ~Learner() = default;

  // Copies rank 0's parameters (and targets) to every rank, after construction or a resume.
  // Collective.
  virtual void sync_replicas() = 0;

  // One update. `stop` is this rank's wish to stop; it travels with the gradients, and if any rank
  // wished to stop no rank applies the update (all return applied = false, parameters unchanged),
  // so replicas stay identical and all ranks leave the loop together. Collective.
  virtual StepResult step(const Batch& batch, bool stop = false) = 0;

  // Every rank wants to stop but this one has no batch: joins the final round with zero gradients.
  // Collective; afterwards the caller leaves its loop.
  virtual void stop_round() = 0;

  virtual uint64_t updates() const = 0;
  virtual void set_updates(uint64_t n) = 0;
  // The network the actors run: what the weight board carries and policy.pt exports.
  virtual torch::nn::Module& policy() = 0;
  // Canonical architecture description (checkpoints and policy.json record it).
  virtual std::string arch() const = 0;
  virtual CheckpointState checkpoint_state() = 0;

  // The training thread's clock: step() laps stages::Learner::ForwardBackward and AllReduce on it
  // (in the gradient all-reduce), the caller laps the other stages. Null (the default): no laps.
  void set_stage_clock(StageClock* clock) { clock_ = clock; }

 protected:
  void lap(stages::Learner stage) {
    if (clock_) clock_->lap(stage);
  }

 private:
  StageClock* clock_ = nullptr;
};

// The algorithm `o.algorithm` resolves to for the env's spaces (common/algorithm.h), built on
// `device`. `group` may be null (one learner). Throws std::invalid_argument naming the key when
// the algorithm cannot handle the spaces or an option is out of range.
// The arch() that make_algorithm's learner will report, without building it (what checkpoints
// record). Same errors.
std::string algorithm_arch(const LearnerOptions& o, const Space& obs_space, const Space& action_space);

std::unique_ptr<Learner> make_algorithm(const LearnerOptions& o, const Space& obs_space,
                                        const Space& action_space, torch::Device device,
                                        ProcessGroup* group);

}  // namespace shmrl::learner
