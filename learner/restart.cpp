#include "learner/restart.h"

#include <chrono>
#include <vector>

#include "common/shm/segment.h"
#include "common/shm/weight_board.h"
#include "learner/resume.h"
#include "models/weights_blob.h"

namespace shmrl::learner {

std::optional<std::string> load_newest_checkpoint(Learner& l, const CheckpointMeta& meta, const std::string& dir) {
  const auto point = newest_readable_checkpoint(dir);
  if (!point) return std::nullopt;
  const CheckpointCounters c = load_checkpoint(point->path, meta, l.checkpoint_state());
  l.set_updates(c.updates);
  std::string said = "from " + point->path + " (" + std::to_string(c.updates) + " updates)";
  for (const auto& why : point->skipped) said += "; skipped the newer " + why;
  return said;
}

std::string restore_for_restart(Learner& l, const CheckpointMeta& meta, const std::string& dir, const RunContext& run) {
  std::string said;
  try {
    said = load_newest_checkpoint(l, meta, dir).value_or("no checkpoint yet");
    if (said.starts_with("from ")) said = "continued " + said;
  } catch (const CheckpointError& e) {
    said = std::string("no usable checkpoint (") + e.what() + ")";
  }
  if (!shm::Segment::exists(run.run_id, seg::weights())) return said + "; no weight board yet";
  const auto seg = shm::Segment::open(run.run_id, seg::weights());
  const auto board = shm::WeightBoard::attach(seg.data(), seg.size());
  if (board.latest_version() <= l.updates()) return said + "; the weight board is not newer";
  std::vector<std::byte> blob;
  const auto version = board.read(blob, deadline_in(std::chrono::seconds(1)));
  if (!version) return said + "; the weight board could not be read in 1 s";
  models::load_weights_blob(l.policy(), blob);
  l.set_updates(*version);
  return said + "; then the weight board's newer network (version " + std::to_string(*version) + ")";
}

}  // namespace shmrl::learner
