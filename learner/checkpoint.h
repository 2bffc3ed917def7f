#pragma once
// Learner checkpoints: <run_dir>/checkpoints/ckpt-<updates, 12 digits>.pt, each a LibTorch archive
// holding the online and target networks, the optimizer state, the counters and what the networks
// were built for (env id, env kwargs and architecture). Written atomically (atomic_file.h); the newest few kept.
// Loading refuses a missing, truncated/corrupt or mismatched file with a CheckpointError that says
// which file, what is wrong and what to do.
//
// Python export: <dir>/policy.pt, the torch.save container of a dict of the online network's
// tensors (LibTorch's pickler and stream writer), so `torch.load(path)` in Python returns its state
// dict, with the default weights_only=True (learner/README.md).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "actors/envs/kwargs.h"

namespace shmrl::learner {

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the networks were built for; a checkpoint loads only where env_id and arch are equal (the env
// kwargs are recorded for evaluation: a resumed run may change them).
struct CheckpointMeta {
  std::string env_id;  // "CartPole-v1"
  std::string arch;    // QNet description, e.g. "mlp obs=Box(...) actions=Discrete(2) hidden=[..]"
  envs::EnvKwargs env_kwargs;  // the run's env.kwargs (empty in checkpoints older than this field)
  bool operator==(const CheckpointMeta&) const = default;
};

struct CheckpointCounters {
  uint64_t updates = 0;
  uint64_t env_steps = 0;  // 0 when unknown
};

// Views of the state a checkpoint holds; the modules and optimizer are read or written in place.
struct CheckpointState {
  torch::nn::Module* online = nullptr;
  torch::nn::Module* target = nullptr;           // may be null on load (evaluation-only)
  torch::optim::Optimizer* optimizer = nullptr;  // may be null on load (evaluation-only)
};

// "<dir>/ckpt-000000001234.pt".
std::string checkpoint_path(const std::string& dir, uint64_t updates);

// Writes the checkpoint for counters.updates into dir (created if needed) and deletes all but the
// newest `keep` (>= 1) checkpoints there, and the temporary files of writers that died mid-write
// (atomic_file.h; a live writer's are left alone). Returns the path. Throws std::runtime_error on I/O errors.
// O(model + optimizer bytes). Training thread only (reads the modules).
std::string save_checkpoint(const std::string& dir, const CheckpointMeta& meta,
                            const CheckpointCounters& counters, const CheckpointState& state,
                            int keep = 3);

// The checkpoint with the most updates in dir, or std::nullopt if there is none (or no dir).
std::optional<std::string> latest_checkpoint(const std::string& dir);
// Every checkpoint in dir, most updates first; empty if there is none (or no dir).
std::vector<std::string> checkpoints_newest_first(const std::string& dir);

// Loads path into state (modules on any device: tensors are copied into the existing parameters).
// Throws CheckpointError if the file is missing, truncated or corrupt, not a shmrl checkpoint, or
// written for another env or architecture than `expected`.
CheckpointCounters load_checkpoint(const std::string& path, const CheckpointMeta& expected,
                                   const CheckpointState& state);

// Reads only the meta and counters of a checkpoint (e.g. to build the right network before
// loading it), with its tensors loaded to the CPU whatever device wrote them (no CUDA needed or
// initialised). Same errors as load_checkpoint, except for the meta comparison.
std::pair<CheckpointMeta, CheckpointCounters> peek_checkpoint(const std::string& path);

// The Python export beside a checkpoint: <dir>/policy.pt (export_state_dict of module) and
// <dir>/policy.json (env, algorithm, architecture, counters, the checkpoint's path). Atomic,
// O(model bytes).
void write_policy_export(const std::string& dir, const CheckpointMeta& meta, const std::string& algorithm,
                         const CheckpointCounters& counters, const torch::nn::Module& module,
                         const std::string& checkpoint);

// Writes module's parameters and buffers as a dict {name: CPU tensor} in torch.save's format,
// atomically: `torch.load(path)` in Python gives a state dict; torch::pickle_load reads it back in
// C++. O(model bytes).
void export_state_dict(const std::string& path, const torch::nn::Module& module);

}  // namespace shmrl::learner
