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
#include "learner/checkpoint.h"
#include "learner/distributed.h"

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

struct StepResult {
  bool applied = false;     // false: a rank asked to stop, no rank changed its parameters
  double loss = 0;          // this rank's (critic) loss
  double grad_norm = 0;     // global (critic) gradient norm before clipping (all-reduced gradient)
  torch::Tensor td_abs;     // [B] float32 on CPU: |y - Q(s, a)| of this rank's batch
};

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
