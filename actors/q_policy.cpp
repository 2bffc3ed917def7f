// Epsilon-greedy Q policy. The hot path runs QNet's layers with out= variants into tensors allocated
// once (input via from_blob over the policy's own buffer, transposed weight views kept across
// weight loads because loads copy in place), so a vector step allocates nothing.
#include <ATen/ATen.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

#include "actors/torch_policy.h"
#include "models/qnet.h"
#include "models/weights_blob.h"

namespace shmrl::actors {
namespace {

class QPolicy final : public Policy {
 public:
  QPolicy(const Space& obs_space, const Space& action_space, const PolicyOptions& opts,
          std::size_t batch)
      : Policy(batch, obs_space.numel()),
        // init_torch runs first: its seed decides the network's initial weights.
        net_((detail::init_torch(opts),
              models::QNetOptions{static_cast<int64_t>(obs_space.numel()), action_space.n,
                                  opts.hidden, opts.dueling})),
        epsilon_(opts.epsilon.size() == 1 ? std::vector<double>(batch, opts.epsilon[0]) : opts.epsilon),
        greedy_only_(std::all_of(epsilon_.begin(), epsilon_.end(), [](double e) { return e <= 0; })),
        rng_(opts.seed ^ 0x9e3779b97f4a7c15ULL),
        pick_(0, static_cast<int32_t>(action_space.n - 1)) {
    for (auto& p : net_->parameters()) p.requires_grad_(false);
    const auto B = static_cast<int64_t>(batch);
    x_ = torch::from_blob(input(), {B, static_cast<int64_t>(obs_space.numel())}, torch::kFloat32);
    for (const auto& layer : net_->torso()) {
      wt_.push_back(layer->weight.t());
      b_.push_back(layer->bias);
      h_.push_back(torch::empty({B, layer->weight.size(0)}, torch::kFloat32));
    }
    // Greedy actions only need the advantage stream: V(s) and mean_a A(s, a) shift a row of Q by
    // a constant, which leaves its argmax unchanged, so the value head is skipped here.
    wt_.push_back(net_->head()->weight.t());
    b_.push_back(net_->head()->bias);
    h_.push_back(torch::empty({B, action_space.n}, torch::kFloat32));
    argmax_ = torch::empty({B}, torch::kInt64);
  }

  void act(std::byte* actions) override {
    {
      c10::InferenceMode guard;
      const at::Tensor* in = &x_;
      const std::size_t last = h_.size() - 1;
      for (std::size_t l = 0; l <= last; ++l) {
        at::addmm_out(h_[l], b_[l], *in, wt_[l]);
        if (l < last) h_[l].relu_();
        in = &h_[l];
      }
      at::argmax_out(argmax_, h_[last], /*dim=*/1);
    }
    const int64_t* greedy = argmax_.data_ptr<int64_t>();
    auto* out = reinterpret_cast<int32_t*>(actions);
    const std::size_t n = batch();
    if (greedy_only_) {
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<int32_t>(greedy[i]);
      return;
    }
    for (std::size_t i = 0; i < n; ++i)
      out[i] = uniform_(rng_) < epsilon_[i] ? pick_(rng_) : static_cast<int32_t>(greedy[i]);
  }

  bool estimates_priorities() const override { return true; }
  bool estimate_priorities(const TransitionSchema& schema, std::byte* const* records, std::size_t n,
                           float priority_epsilon) override {
    if (n == 0) return true;
    const auto rows = static_cast<int64_t>(n);
    const int64_t dim = x_.size(1);
    // obs rows first, then next_obs rows: one forward for both.
    auto x = torch::empty({2 * rows, dim}, torch::kFloat32);
    auto action = torch::empty({rows}, torch::kInt64);
    auto reward = torch::empty({rows}, torch::kFloat32);
    auto discount = torch::empty({rows}, torch::kFloat32);
    float* xp = x.data_ptr<float>();
    const std::size_t obs_bytes = static_cast<std::size_t>(dim) * sizeof(float);
    for (std::size_t i = 0; i < n; ++i) {
      const TransitionRef t = schema.unpack(records[i]);
      std::memcpy(xp + i * dim, t.obs, obs_bytes);
      std::memcpy(xp + (n + i) * dim, t.next_obs, obs_bytes);
      int32_t a;
      std::memcpy(&a, t.action, sizeof a);
      action.data_ptr<int64_t>()[i] = a;
      reward.data_ptr<float>()[i] = t.reward;
      discount.data_ptr<float>()[i] = t.discount;
    }
    torch::Tensor priority;
    {
      c10::InferenceMode guard;
      const auto q = net_->forward(x);
      const auto q_taken = q.slice(0, 0, rows).gather(1, action.unsqueeze(1)).squeeze(1);
      const auto q_next = std::get<0>(q.slice(0, rows, 2 * rows).max(1));
      priority = ((reward + discount * q_next - q_taken).abs() + priority_epsilon).contiguous();
    }
    const float* p = priority.data_ptr<float>();
    for (std::size_t i = 0; i < n; ++i) schema.set_initial_priority(records[i], p[i]);
    return true;
  }

  void load_weights(std::span<const std::byte> blob) override { models::load_weights_blob(*net_, blob); }
  std::vector<std::byte> save_weights() const override { return models::save_weights_blob(*net_); }

 private:
  models::QNet net_;
  std::vector<double> epsilon_;  // per row
  bool greedy_only_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  std::uniform_int_distribution<int32_t> pick_;
  at::Tensor x_, argmax_;
  std::vector<at::Tensor> wt_, b_, h_;  // per layer (torso..., head): W^T view, bias, output
};

}  // namespace

std::unique_ptr<Policy> make_q_policy(const Space& obs_space, const Space& action_space,
                                      const PolicyOptions& opts, std::size_t batch) {
  detail::check_obs_space(obs_space);
  if (action_space.kind != Space::Kind::Discrete || action_space.n < 1)
    throw std::invalid_argument("Q policy: action space " + action_space.describe() +
                                " is not supported (needs Discrete(n), n >= 1)");
  if (batch == 0) throw std::invalid_argument("Q policy: batch must be >= 1");
  if (opts.epsilon.size() != 1 && opts.epsilon.size() != batch)
    throw std::invalid_argument("Q policy: " + std::to_string(opts.epsilon.size()) + " epsilons for a batch of " +
                                std::to_string(batch) + " (need one per row, or one)");
  return std::make_unique<QPolicy>(obs_space, action_space, opts, batch);
}

}  // namespace shmrl::actors
