#include "actors/policy.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>

#include "actors/torch_policy.h"

namespace shmrl::actors {

void PolicyOptions::validate() const {
  for (std::size_t i = 0; i < hidden.size(); ++i)
    if (hidden[i] <= 0)
      throw std::invalid_argument("learner.hidden[" + std::to_string(i) + "] = " +
                                  std::to_string(hidden[i]) + ", every layer size must be > 0");
  if (torch_threads < 1)
    throw std::invalid_argument("actor.torch_threads = " + std::to_string(torch_threads) +
                                ", must be >= 1");
  if (epsilon.empty()) throw std::invalid_argument("policy epsilon: no value (one per row, or one for all)");
  for (double e : epsilon)
    if (!(e >= 0 && e <= 1))
      throw std::invalid_argument("policy epsilon = " + std::to_string(e) + ", must be in [0, 1]");
  if (!(noise_std >= 0))
    throw std::invalid_argument("policy noise_std = " + std::to_string(noise_std) +
                                ", must be >= 0");
  if (!(noise_scale > 0))
    throw std::invalid_argument("policy noise_scale = " + std::to_string(noise_scale) +
                                ", must be > 0");
}

Policy::Policy(std::size_t batch, const Space& obs_space)
    : batch_(batch),
      input_(batch * obs_space.numel()),
      raw_(obs_space.dtype == DType::F32 ? 0 : batch * obs_space.bytes()) {}

float* Policy::float_input() {
  if (!raw_.empty()) {
    const auto* px = reinterpret_cast<const uint8_t*>(raw_.data());
    for (std::size_t i = 0; i < input_.size(); ++i) input_[i] = static_cast<float>(px[i]) / 255.0f;
  }
  return input_.data();
}

std::unique_ptr<Policy> make_policy(const Space& obs_space, const Space& action_space,
                                    const PolicyOptions& opts, std::size_t batch) {
  switch (opts.algorithm) {
    case Algorithm::Dqn:
      return opts.network == Network::NatureCnn ? make_cnn_q_policy(obs_space, action_space, opts, batch)
                                                : make_q_policy(obs_space, action_space, opts, batch);
    case Algorithm::Sac: return make_sac_policy(obs_space, action_space, opts, batch);
    case Algorithm::Td3: return make_td3_policy(obs_space, action_space, opts, batch);
  }
  throw std::invalid_argument("policy: unknown algorithm");
}

}  // namespace shmrl::actors

// ---- shared by the LibTorch policies ----

namespace shmrl::actors::detail {

void check_obs_space(const Space& obs_space, bool pixels_ok) {
  const bool dtype_ok = obs_space.dtype == DType::F32 || (pixels_ok && obs_space.dtype == DType::U8);
  if (obs_space.kind != Space::Kind::Box || !dtype_ok)
    throw std::invalid_argument("policy: observation space " + obs_space.describe() +
                                " is not supported (" + (pixels_ok ? "DQN takes a float32 or uint8 Box"
                                                                   : "SAC and TD3 take a float32 Box") + ")");
}

void check_box_policy(const Space& obs_space, const Space& action_space, std::size_t batch,
                      const char* what) {
  check_obs_space(obs_space, false);
  bool ok = action_space.kind == Space::Kind::Box && action_space.dtype == DType::F32;
  for (std::size_t i = 0; ok && i < action_space.low.size(); ++i)
    ok = std::isfinite(action_space.low[i]) && std::isfinite(action_space.high[i]);
  if (!ok)
    throw std::invalid_argument(std::string(what) + ": action space " + action_space.describe() +
                                " is not supported (needs a float32 Box with finite bounds)");
  if (batch == 0) throw std::invalid_argument(std::string(what) + ": batch must be >= 1");
}

void init_torch(const PolicyOptions& opts) {
  opts.validate();
  at::set_num_threads(opts.torch_threads);
  // The CPU generator only: torch::manual_seed also seeds every GPU's generator, which initialises
  // CUDA (seconds of start-up, host memory) in each actor on a GPU host; actors never use CUDA.
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_current_seed(opts.seed);
}

}  // namespace shmrl::actors::detail
