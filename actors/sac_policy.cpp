// SAC's exploration: a sample of the squashed Gaussian policy, a = center + half_range * tanh(u),
// u ~ N(mean, (noise_scale * std)^2), clipped to the bounds (tanh's float rounding can touch them).
// The mean and log-std come from one batched forward; the noise from the actor's own generator.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "actors/box_policy.h"
#include "models/gaussian_actor.h"

namespace shmrl::actors {
namespace {

class SacPolicy final : public detail::BoxPolicy<models::GaussianActorNet> {
 public:
  SacPolicy(const Space& obs_space, const Space& action_space, const PolicyOptions& opts,
            std::size_t batch)
      : BoxPolicy(obs_space, action_space, opts, batch),
        scale_(opts.deterministic ? 0.0f : static_cast<float>(opts.noise_scale)) {}

  void act(std::byte* actions) override {
    at::Tensor mean, log_std;
    {
      c10::InferenceMode guard;
      auto out = net_->forward(x_);
      mean = out.first.contiguous();
      log_std = out.second.contiguous();
    }
    const float* m = mean.data_ptr<float>();
    const float* s = log_std.data_ptr<float>();
    auto* out = reinterpret_cast<float*>(actions);
    const std::size_t dims = low_.size();
    for (std::size_t i = 0; i < batch(); ++i)
      for (std::size_t d = 0; d < dims; ++d) {
        const std::size_t k = i * dims + d;
        const float u = m[k] + scale_ * std::exp(s[k]) * normal_(rng_);
        const float half = (high_[d] - low_[d]) / 2, center = (high_[d] + low_[d]) / 2;
        out[k] = std::clamp(center + half * std::tanh(u), low_[d], high_[d]);
      }
  }

 private:
  float scale_;
};

}  // namespace

std::unique_ptr<Policy> make_sac_policy(const Space& obs_space, const Space& action_space,
                                        const PolicyOptions& opts, std::size_t batch) {
  detail::check_box_policy(obs_space, action_space, batch, "SAC policy");
  return std::make_unique<SacPolicy>(obs_space, action_space, opts, batch);
}

}  // namespace shmrl::actors
