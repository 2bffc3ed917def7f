#pragma once
// What the two Q policies (q_policy.cpp: the MLP; cnn_policy.cpp: the Nature CNN) share: epsilon-
// greedy action choice and Ape-X's actor-side priorities. Internal to actors/ (LibTorch).
//
// Threading: as Policy (one actor thread).
#include <ATen/ATen.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "actors/policy.h"

namespace shmrl::actors::detail {

// Throws std::invalid_argument unless the spaces suit a Q policy (float32 or uint8 Box observations,
// Discrete actions) with batch >= 1 rows and one epsilon or one per row.
void check_q_policy(const Space& obs_space, const Space& action_space, const PolicyOptions& opts,
                    std::size_t batch);

// Per row: a uniformly random action with probability epsilon[row], else the greedy one (always the
// greedy one for a deterministic policy: PolicyOptions::deterministic).
class EpsilonGreedy {
 public:
  // Preconditions: opts.epsilon has one value or `batch`; num_actions >= 1.
  EpsilonGreedy(const PolicyOptions& opts, std::size_t batch, int64_t num_actions)
      : epsilon_(opts.deterministic           ? std::vector<double>(batch, 0.0)
                 : opts.epsilon.size() == 1 ? std::vector<double>(batch, opts.epsilon[0])
                                            : opts.epsilon),
        greedy_only_(std::all_of(epsilon_.begin(), epsilon_.end(), [](double e) { return e <= 0; })),
        rng_(opts.seed ^ 0x9e3779b97f4a7c15ULL),
        pick_(0, static_cast<int32_t>(num_actions - 1)) {}

  // out[i] for i < batch from greedy[i] (argmax rows). Allocates nothing.
  void choose(const int64_t* greedy, int32_t* out) {
    const std::size_t n = epsilon_.size();
    if (greedy_only_) {
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<int32_t>(greedy[i]);
      return;
    }
    for (std::size_t i = 0; i < n; ++i)
      out[i] = uniform_(rng_) < epsilon_[i] ? pick_(rng_) : static_cast<int32_t>(greedy[i]);
  }

 private:
  std::vector<double> epsilon_;  // per row
  bool greedy_only_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  std::uniform_int_distribution<int32_t> pick_;
};

// Policy::estimate_priorities for a Q-network: `forward` maps observations as stored ([rows, obs
// shape] of the obs dtype) to Q [rows, A]; one forward over the n obs and n next_obs rows.
void set_q_priorities(const std::function<at::Tensor(const at::Tensor&)>& forward, const TransitionSchema& schema,
                      std::byte* const* records, std::size_t n, float priority_epsilon);

}  // namespace shmrl::actors::detail
