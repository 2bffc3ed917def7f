// Epsilon-greedy Nature-CNN Q policy for stacked uint8 frames: the policy's own uint8 buffer is
// the network's input (a from_blob view, scaled by 1/255 inside the network as in the learner), one
// batched forward per vector step.
#include <ATen/ATen.h>
#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "actors/q_policy_parts.h"
#include "actors/torch_policy.h"
#include "models/nature_cnn.h"
#include "models/weights_blob.h"

namespace shmrl::actors {
namespace {

class CnnQPolicy final : public Policy {
 public:
  CnnQPolicy(const Space& obs_space, const Space& action_space, const PolicyOptions& opts, std::size_t batch)
      : Policy(batch, obs_space),
        // init_torch runs first: its seed decides the network's initial weights.
        net_((detail::init_torch(opts), models::NatureCnnOptions{obs_space.shape[0], action_space.n, opts.dueling})),
        explore_(opts, batch, action_space.n) {
    for (auto& p : net_->parameters()) p.requires_grad_(false);
    std::vector<int64_t> shape{static_cast<int64_t>(batch)};
    shape.insert(shape.end(), obs_space.shape.begin(), obs_space.shape.end());
    x_ = torch::from_blob(observations(), shape, torch::kUInt8);
  }

  void act(std::byte* actions) override {
    at::Tensor greedy;
    {
      c10::InferenceMode guard;
      greedy = net_->forward(x_).argmax(1).contiguous();
    }
    explore_.choose(greedy.data_ptr<int64_t>(), reinterpret_cast<int32_t*>(actions));
  }

  bool estimates_priorities() const override { return true; }
  bool estimate_priorities(const TransitionSchema& schema, std::byte* const* records, std::size_t n,
                           float priority_epsilon) override {
    detail::set_q_priorities([this](const at::Tensor& obs) { return net_->forward(obs); }, schema, records, n,
                             priority_epsilon);
    return true;
  }

  void load_weights(std::span<const std::byte> blob) override { models::load_weights_blob(*net_, blob); }
  std::vector<std::byte> save_weights() const override { return models::save_weights_blob(*net_); }

 private:
  models::NatureCnn net_;
  detail::EpsilonGreedy explore_;
  at::Tensor x_;  // [batch, C, 84, 84] uint8 over observations()
};

}  // namespace

std::unique_ptr<Policy> make_cnn_q_policy(const Space& obs_space, const Space& action_space,
                                          const PolicyOptions& opts, std::size_t batch) {
  detail::check_q_policy(obs_space, action_space, opts, batch);
  if (obs_space.dtype != DType::U8 || obs_space.shape.size() != 3 || obs_space.shape[1] != 84 ||
      obs_space.shape[2] != 84)
    throw std::invalid_argument("Nature-CNN policy: observation space " + obs_space.describe() +
                                " is not supported (needs uint8 frames [C, 84, 84])");
  return std::make_unique<CnnQPolicy>(obs_space, action_space, opts, batch);
}

}  // namespace shmrl::actors
