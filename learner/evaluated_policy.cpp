#include "learner/evaluated_policy.h"

#include <torch/torch.h>

#include <filesystem>

#include "models/weights_blob.h"

namespace shmrl::learner {

std::string save_evaluated_weights(const std::string& dir, const CheckpointMeta& meta,
                                   const models::QNetOptions& opts, std::span<const std::byte> blob,
                                   const CheckpointCounters& counters) {
  models::QNet online(opts), target(opts);
  torch::optim::Adam adam(online->parameters(), torch::optim::AdamOptions());
  if (auto latest = latest_checkpoint(dir)) {
    try {
      load_checkpoint(*latest, meta, CheckpointState{online.ptr().get(), target.ptr().get(), &adam});
    } catch (const CheckpointError&) {
      // Only the optimizer state was wanted from it: the weights saved are the evaluated ones.
    }
  }
  models::load_weights_blob(*online, blob);
  models::load_weights_blob(*target, blob);
  // Fixed-width names: a later checkpoint sorts after this one.
  const std::string path = checkpoint_path(dir, counters.updates);
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("ckpt-") && name.ends_with(".pt") && e.path().string() > path) fs::remove(e.path());
  }
  save_checkpoint(dir, meta, counters, CheckpointState{online.ptr().get(), target.ptr().get(), &adam});
  write_policy_export(dir, meta, counters, *online, path);
  return path;
}

}  // namespace shmrl::learner
