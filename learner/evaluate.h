#pragma once
// Deterministic evaluation of a trained policy: greedy for DQN (epsilon 0), the mean action for
// SAC, no noise for TD3. The core the launcher wraps for periodic evaluation during training
// (weights from the run's weight board) and for `shmrl eval` (a checkpoint file).
//
// Episodes run on fresh environments from actors/envs/registry.h, all stepped in lockstep with one
// batched forward pass per step; episode i resets with seed + i, so a result is reproducible.
// Threading: any one thread per call; uses the calling thread's torch settings (CPU).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "actors/envs/kwargs.h"
#include "common/algorithm.h"
#include "common/run.h"
#include "common/spaces.h"
#include "learner/checkpoint.h"

namespace shmrl::learner {

struct EvalResult {
  std::string env_id;           // the env evaluated
  envs::EnvKwargs env_kwargs;   // and its kwargs
  std::vector<double> returns;  // one per episode, in seed order
  double mean = 0, std = 0, min = 0, max = 0;  // std: population standard deviation
  uint64_t env_steps = 0;
  uint64_t weight_version = 0;  // board: the version evaluated; checkpoint: its update count
  // Board: the weights blob evaluated (models/weights_blob.h), so the very same weights can be
  // evaluated again on other seeds and saved; null for a checkpoint.
  std::shared_ptr<const std::vector<std::byte>> weights;
};

// Thrown by an evaluation whose `cancel` flag turned true (checked before each env is built and
// each batched step, so a cancel ends even a 100,000-episode evaluation within milliseconds).
class EvalCancelled : public std::runtime_error {
 public:
  EvalCancelled() : std::runtime_error("evaluation cancelled") {}
};

// Mean/std/min/max of returns (non-empty).
EvalResult summarize_returns(std::vector<double> returns);

// A network and its deterministic action: obs [n, obs_dim] float32 -> actions, integer [n]
// (Discrete) or float32 [n, A] within the bounds (Box).
struct EvalPolicy {
  std::shared_ptr<torch::nn::Module> module;  // weights are loaded into this
  std::function<torch::Tensor(const torch::Tensor&)> act;
  int64_t obs_dim = 0;
  Space action_space;  // what the network was built for
};

// The network the actors of `algorithm` run (the weight board's content) for the env's spaces.
// Throws std::invalid_argument if the algorithm cannot handle them.
EvalPolicy actor_policy(Algorithm algorithm, const Space& obs_space, const Space& action_space,
                        const std::vector<int64_t>& hidden, bool dueling);

// `episodes` (>= 1) episodes of policy on env_id. Throws std::invalid_argument for an unknown env or
// spaces the policy was not built for. O(longest episode) batched forward passes. Throws
// EvalCancelled once `*cancel` (when given) is true.
EvalResult evaluate_policy(const EvalPolicy& policy, const std::string& env_id, int episodes,
                           uint64_t seed, const envs::EnvKwargs& kwargs = {},
                           const std::atomic<bool>* cancel = nullptr);

// A copy of the newest weights blob on the run's weight board and its version; std::nullopt if the
// board does not exist, is still being created, or nothing was published yet. Plain shared memory
// (no torch): what the launcher hands the evaluator process of a gym: run. O(blob bytes).
std::optional<std::pair<uint64_t, std::vector<std::byte>>> read_newest_weights(const RunContext& run);

// The newest weights on the run's weight board, loaded into the actors' network of `algorithm`
// (learner.algorithm, resolved against env_id's action space) with the given hidden sizes and
// head; std::nullopt if the board does not exist or nothing was published yet. Throws
// std::invalid_argument if the board's weights do not fit that network, EvalCancelled as
// evaluate_policy.
std::optional<EvalResult> evaluate_weight_board(const RunContext& run, const std::string& env_id,
                                                const std::string& algorithm,
                                                const std::vector<int64_t>& hidden, bool dueling,
                                                int episodes, uint64_t seed,
                                                const envs::EnvKwargs& kwargs = {},
                                                const std::atomic<bool>* cancel = nullptr);

// A weights blob (as published on the board) loaded into the actors' network of `algorithm` for
// env_id with the given hidden sizes and head. Throws std::invalid_argument if the blob does not fit
// that network, EvalCancelled as evaluate_policy.
EvalResult evaluate_weights_blob(std::span<const std::byte> blob, const std::string& env_id,
                                 const std::string& algorithm, const std::vector<int64_t>& hidden,
                                 bool dueling, int episodes, uint64_t seed,
                                 const envs::EnvKwargs& kwargs = {},
                                 const std::atomic<bool>* cancel = nullptr);

// The trained policy of a learner checkpoint (DQN, SAC or TD3) on env_id ("" = the env it was
// trained on). The env is built with the kwargs the checkpoint's run used (none when env_id names
// another env), with `overrides` set on top. Throws CheckpointError (learner/checkpoint.h) for a
// missing, truncated, corrupt or unknown-architecture checkpoint, std::invalid_argument if the env
// rejects a kwarg or its spaces do not fit the network.
EvalResult evaluate_checkpoint_file(const std::string& path, const std::string& env_id,
                                    int episodes, uint64_t seed,
                                    const envs::EnvKwargs& overrides = {});

// The acting network of a learner checkpoint (DQN's Q-network, MLP or Nature CNN; SAC's or TD3's
// actor) as the actors run it: its weights blob, as the weight board would hold it, and the keys that
// build it (learner.algorithm, learner.network, learner.hidden, learner.dueling). What `shmrl eval`
// hands the evaluator process for a gym: env. Throws CheckpointError as evaluate_checkpoint_file.
struct CheckpointPolicy {
  CheckpointMeta meta;  // env id and kwargs it was trained on, arch
  uint64_t updates = 0;
  Algorithm algorithm = Algorithm::Dqn;
  Network network = Network::Mlp;  // DQN's
  std::vector<int64_t> hidden;     // MLPs'
  bool dueling = false;            // DQN's
  std::vector<std::byte> weights;
};
CheckpointPolicy read_checkpoint_policy(const std::string& path);

}  // namespace shmrl::learner
