#include "learner/evaluated_policy.h"

#include <torch/torch.h>

#include <filesystem>

#include "actors/envs/registry.h"
#include "common/algorithm.h"
#include "learner/algorithm.h"
#include "learner/resume.h"
#include "models/weights_blob.h"

namespace shmrl::learner {

std::string save_evaluated_weights(const std::string& dir, const LearnerOptions& o,
                                   std::span<const std::byte> blob, const CheckpointCounters& counters) {
  auto probe = envs::make_env(o.env_id, o.env_kwargs);
  const CheckpointMeta meta = checkpoint_meta(o);
  auto learner = make_algorithm(o, probe->observation_space(), probe->action_space(), torch::kCPU, nullptr);
  const CheckpointState state = learner->checkpoint_state();
  if (auto latest = latest_checkpoint(dir)) {
    try {
      load_checkpoint(*latest, meta, state);
    } catch (const CheckpointError&) {
      // Only the rest of the state was wanted from it: the policy saved is the evaluated one.
    }
  }
  models::load_weights_blob(learner->policy(), blob);
  // DQN's policy is its online network: its target starts from the same weights.
  if (state.online == &learner->policy() && state.target) models::load_weights_blob(*state.target, blob);
  // Fixed-width names: a later checkpoint sorts after this one.
  const std::string path = checkpoint_path(dir, counters.updates);
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("ckpt-") && name.ends_with(".pt") && e.path().string() > path) fs::remove(e.path());
  }
  learner->set_updates(counters.updates);
  save_checkpoint(dir, meta, counters, state);
  write_policy_export(dir, meta, algorithm_name(resolve_algorithm(o.algorithm, probe->action_space())), counters,
                      learner->policy(), path);
  return path;
}

}  // namespace shmrl::learner
