#include "learner/weight_publisher.h"

#include <span>
#include <stdexcept>
#include <string>

#include "models/weights_blob.h"

namespace shmrl::learner {

WeightPublisher::WeightPublisher(const RunContext& run, const torch::nn::Module& module) {
  const std::size_t blob = models::weights_blob_bytes(module);
  if (shm::Segment::exists(run.run_id, seg::weights())) {
    seg_.emplace(shm::Segment::open(run.run_id, seg::weights()));
    board_.emplace(shm::WeightBoard::attach(seg_->data(), seg_->size()));
    if (board_->max_blob_bytes() < blob)
      throw std::runtime_error("weight board " + seg_->name() + " holds blobs of at most " +
                               std::to_string(board_->max_blob_bytes()) + " bytes, this network needs " +
                               std::to_string(blob) + ": it belongs to another network; start a new run");
    last_ = board_->latest_version();
  } else {
    const std::size_t bytes = shm::WeightBoard::bytes_needed(blob);
    seg_.emplace(shm::Segment::create(run.run_id, seg::weights(), bytes, run.owner));
    board_.emplace(shm::WeightBoard::create(seg_->data(), seg_->size(), blob));
  }
  blob_.resize(blob);
}

uint64_t WeightPublisher::publish(const torch::nn::Module& module, uint64_t update_count) {
  const std::size_t n = models::write_weights_blob(module, std::span<std::byte>(blob_));
  const uint64_t version = std::max(update_count, last_ + 1);
  board_->publish(blob_.data(), n, version);
  last_ = version;
  return version;
}

}  // namespace shmrl::learner
