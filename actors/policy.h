#pragma once
// The actor's policy: a fixed batch of observations in, one action per row out, with ONE batched
// forward pass per call. Three implementations behind this interface, one per algorithm:
//   - DQN (Discrete actions): the Q-network (models/qnet.h), greedy with probability 1 - epsilon,
//     else uniform.
//   - SAC (Box): a sample of the squashed Gaussian policy (models/gaussian_actor.h), its standard
//     deviation multiplied by noise_scale.
//   - TD3 (Box): the deterministic actor (models/actor_net.h) plus Gaussian noise, clipped to the
//     bounds.
// Weights come and go as weights blobs (models/weights_blob.h). This header is torch-free; the
// implementations run LibTorch on the CPU in inference mode with torch_threads intra-op threads.
//
// Threading: one thread at a time per policy. at::set_num_threads is process-wide, so every policy
// in a process should use the same torch_threads.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/algorithm.h"
#include "common/schema.h"
#include "common/spaces.h"

namespace shmrl::actors {

// Filled from ActorOptions (actor.cpp); config defaults live only in the schema, none here.
struct PolicyOptions {
  std::vector<int64_t> hidden;            // MLP hidden sizes, each > 0
  bool dueling = false;                   // Q-networks: dueling head
  int torch_threads = 1;                  // >= 1, passed to at::set_num_threads
  // Discrete: P(uniformly random action) of each batch row, or one value for every row; in [0, 1].
  std::vector<double> epsilon{0.0};
  Algorithm algorithm = Algorithm::Dqn;   // resolved for the action space (common/algorithm.h)
  Network network = Network::Mlp;         // DQN: resolved for the observation space
  double noise_std = 0;                   // TD3: noise std / half-range of each action, >= 0
  double noise_scale = 1.0;               // this actor's exploration-noise multiplier (TD3 noise,
                                          // SAC's policy std), > 0
  uint64_t seed = 0;                      // initial weights and exploration noise
  // Evaluation: no exploration at all (DQN greedy whatever epsilon says, SAC's mean action, TD3
  // without noise), as the learner's evaluation (learner/evaluate.h) acts.
  bool deterministic = false;
  void validate() const;                  // std::invalid_argument naming the field
};

class Policy {
 public:
  virtual ~Policy() = default;
  std::size_t batch() const { return batch_; }
  // The [batch, obs numel] row-major observations in the observation space's dtype (float32, or
  // uint8 for pixels), filled by the caller (environments write their observations straight into
  // it). Valid for the policy's lifetime.
  std::byte* observations() { return raw_.empty() ? reinterpret_cast<std::byte*>(input_.data()) : raw_.data(); }
  // observations() as float32: the same memory for float32 observations; for uint8 ones, what the
  // MLP policies feed their network (x / 255, refreshed from observations() by float_input()).
  float* input() { return input_.data(); }

  // One batched forward on input(), then exploration; writes batch() actions, each
  // action_space.bytes() bytes (int32 for Discrete, float32 for Box), into actions. Allocates
  // nothing on the discrete path.
  virtual void act(std::byte* actions) = 0;
  // Replaces the weights from a blob. Throws std::invalid_argument if the blob does not fit the
  // network (the weights are then unchanged). O(blob bytes).
  virtual void load_weights(std::span<const std::byte> blob) = 0;
  virtual std::vector<std::byte> save_weights() const = 0;
  // Ape-X's actor-side initial priorities: sets the initial_priority of n packed records (of
  // `schema`) to |reward + discount * max_a Q(next_obs, a) - Q(obs, action)| + priority_epsilon,
  // from this policy's current network, in one batched forward. Returns false, leaving the records
  // as they are (the replay service then uses its running max), for a policy without Q-values
  // (SAC, TD3): estimates_priorities() says which. O(n) forward rows, allocates.
  virtual bool estimates_priorities() const { return false; }
  virtual bool estimate_priorities(const TransitionSchema& schema, std::byte* const* records, std::size_t n,
                                   float priority_epsilon) {
    (void)schema, (void)records, (void)n, (void)priority_epsilon;
    return false;
  }

 protected:
  Policy(std::size_t batch, const Space& obs_space);
  // uint8 observations: input() <- observations() / 255 (the scaling the learner's networks apply
  // to uint8 batches); nothing for float32 ones. O(batch * obs numel). Returns input().
  float* float_input();

 private:
  std::size_t batch_;
  std::vector<float> input_;
  std::vector<std::byte> raw_;  // uint8 observations (empty for float32 ones)
};

// The policy of opts.algorithm. obs_space: a float32 Box (DQN: or uint8); action_space: Discrete (DQN) or float32
// Box with finite bounds (SAC, TD3); batch >= 1. Throws std::invalid_argument naming what is
// unsupported.
std::unique_ptr<Policy> make_policy(const Space& obs_space, const Space& action_space,
                                    const PolicyOptions& opts, std::size_t batch);
std::unique_ptr<Policy> make_q_policy(const Space& obs_space, const Space& action_space,
                                      const PolicyOptions& opts, std::size_t batch);
// The Nature CNN's epsilon-greedy policy: obs_space uint8 [C, 84, 84], action_space Discrete.
std::unique_ptr<Policy> make_cnn_q_policy(const Space& obs_space, const Space& action_space,
                                          const PolicyOptions& opts, std::size_t batch);
std::unique_ptr<Policy> make_sac_policy(const Space& obs_space, const Space& action_space,
                                        const PolicyOptions& opts, std::size_t batch);
std::unique_ptr<Policy> make_td3_policy(const Space& obs_space, const Space& action_space,
                                        const PolicyOptions& opts, std::size_t batch);

}  // namespace shmrl::actors
