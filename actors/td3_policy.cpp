// TD3's exploration: the deterministic actor plus Gaussian noise, clipped to the action bounds. Not
// on the CartPole hot path, so it uses the module's plain forward.
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>

#include "actors/torch_policy.h"
#include "models/actor_net.h"
#include "models/weights_blob.h"

namespace shmrl::actors {
namespace {

class Td3Policy final : public Policy {
 public:
  Td3Policy(const Space& obs_space, const Space& action_space, const PolicyOptions& opts,
            std::size_t batch)
      : Policy(batch, obs_space.numel()),
        // init_torch runs first: its seed decides the network's initial weights.
        net_((detail::init_torch(opts),
              models::ActorNetOptions{static_cast<int64_t>(obs_space.numel()), action_space.low,
                                      action_space.high, opts.hidden})),
        low_(action_space.low), high_(action_space.high),
        rng_(opts.seed ^ 0x9e3779b97f4a7c15ULL) {
    for (auto& p : net_->parameters()) p.requires_grad_(false);
    x_ = torch::from_blob(input(), {static_cast<int64_t>(batch),
                                    static_cast<int64_t>(obs_space.numel())}, torch::kFloat32);
    for (std::size_t d = 0; d < low_.size(); ++d)
      sigma_.push_back(
          static_cast<float>(opts.noise_std * opts.noise_scale * (high_[d] - low_[d]) / 2));
  }

  void act(std::byte* actions) override {
    at::Tensor mu;
    {
      c10::InferenceMode guard;
      mu = net_->forward(x_).contiguous();
    }
    const float* m = mu.data_ptr<float>();
    auto* out = reinterpret_cast<float*>(actions);
    const std::size_t dims = low_.size();
    for (std::size_t i = 0; i < batch(); ++i)
      for (std::size_t d = 0; d < dims; ++d) {
        const float noisy = m[i * dims + d] + (sigma_[d] > 0 ? sigma_[d] * normal_(rng_) : 0.0f);
        out[i * dims + d] = std::clamp(noisy, low_[d], high_[d]);
      }
  }

  void load_weights(std::span<const std::byte> blob) override { models::load_weights_blob(*net_, blob); }
  std::vector<std::byte> save_weights() const override { return models::save_weights_blob(*net_); }

 private:
  models::DeterministicActorNet net_;
  std::vector<float> low_, high_;
  std::mt19937_64 rng_;
  std::normal_distribution<float> normal_{0.0f, 1.0f};
  std::vector<float> sigma_;  // noise std per action dimension
  at::Tensor x_;
};

}  // namespace

std::unique_ptr<Policy> make_td3_policy(const Space& obs_space, const Space& action_space,
                                        const PolicyOptions& opts, std::size_t batch) {
  detail::check_box_policy(obs_space, action_space, batch, "TD3 policy");
  return std::make_unique<Td3Policy>(obs_space, action_space, opts, batch);
}

}  // namespace shmrl::actors
