// TD3's exploration: the deterministic actor plus Gaussian noise, clipped to the action bounds. Not
// on the CartPole hot path, so it uses the module's plain forward.
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "actors/box_policy.h"

namespace shmrl::actors {
namespace {

class Td3Policy final : public detail::BoxPolicy<models::DeterministicActorNet> {
 public:
  Td3Policy(const Space& obs_space, const Space& action_space, const PolicyOptions& opts,
            std::size_t batch)
      : BoxPolicy(obs_space, action_space, opts, batch) {
    for (std::size_t d = 0; d < low_.size(); ++d)
      sigma_.push_back(
          opts.deterministic ? 0.0f : static_cast<float>(opts.noise_std * opts.noise_scale * (high_[d] - low_[d]) / 2));
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

 private:
  std::vector<float> sigma_;  // noise std per action dimension
};

}  // namespace

std::unique_ptr<Policy> make_td3_policy(const Space& obs_space, const Space& action_space,
                                        const PolicyOptions& opts, std::size_t batch) {
  detail::check_box_policy(obs_space, action_space, batch, "TD3 policy");
  return std::make_unique<Td3Policy>(obs_space, action_space, opts, batch);
}

}  // namespace shmrl::actors
