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

#include "actors/q_policy_parts.h"
#include "actors/torch_policy.h"
#include "models/qnet.h"
#include "models/weights_blob.h"

namespace shmrl::actors {
namespace {

class QPolicy final : public Policy {
 public:
  QPolicy(const Space& obs_space, const Space& action_space, const PolicyOptions& opts,
          std::size_t batch)
      : Policy(batch, obs_space),
        // init_torch runs first: its seed decides the network's initial weights.
        net_((detail::init_torch(opts),
              models::QNetOptions{static_cast<int64_t>(obs_space.numel()), action_space.n,
                                  opts.hidden, opts.dueling})),
        explore_(opts, batch, action_space.n),
        pixels_(obs_space.dtype == DType::U8) {
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
    float_input();
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
    explore_.choose(argmax_.data_ptr<int64_t>(), reinterpret_cast<int32_t*>(actions));
  }

  bool estimates_priorities() const override { return true; }
  bool estimate_priorities(const TransitionSchema& schema, std::byte* const* records, std::size_t n,
                           float priority_epsilon) override {
    detail::set_q_priorities(
        [this](const at::Tensor& obs) {
          auto x = obs.reshape({obs.size(0), -1}).to(torch::kFloat32);
          return net_->forward(pixels_ ? x.div_(255.0f) : x);
        },
        schema, records, n, priority_epsilon);
    return true;
  }

  void load_weights(std::span<const std::byte> blob) override { models::load_weights_blob(*net_, blob); }
  std::vector<std::byte> save_weights() const override { return models::save_weights_blob(*net_); }

 private:
  models::QNet net_;
  detail::EpsilonGreedy explore_;
  bool pixels_;  // uint8 observations, scaled by 1/255 as the learner does
  at::Tensor x_, argmax_;
  std::vector<at::Tensor> wt_, b_, h_;  // per layer (torso..., head): W^T view, bias, output
};

}  // namespace

std::unique_ptr<Policy> make_q_policy(const Space& obs_space, const Space& action_space,
                                      const PolicyOptions& opts, std::size_t batch) {
  detail::check_q_policy(obs_space, action_space, opts, batch);
  return std::make_unique<QPolicy>(obs_space, action_space, opts, batch);
}

}  // namespace shmrl::actors

namespace shmrl::actors::detail {

void check_q_policy(const Space& obs_space, const Space& action_space, const PolicyOptions& opts,
                    std::size_t batch) {
  check_obs_space(obs_space, true);
  if (action_space.kind != Space::Kind::Discrete || action_space.n < 1)
    throw std::invalid_argument("Q policy: action space " + action_space.describe() +
                                " is not supported (needs Discrete(n), n >= 1)");
  if (batch == 0) throw std::invalid_argument("Q policy: batch must be >= 1");
  if (opts.epsilon.size() != 1 && opts.epsilon.size() != batch)
    throw std::invalid_argument("Q policy: " + std::to_string(opts.epsilon.size()) + " epsilons for a batch of " +
                                std::to_string(batch) + " (need one per row, or one)");
}

void set_q_priorities(const std::function<at::Tensor(const at::Tensor&)>& forward, const TransitionSchema& schema,
                      std::byte* const* records, std::size_t n, float priority_epsilon) {
  if (n == 0) return;
  const auto rows = static_cast<int64_t>(n);
  const Space& os = schema.obs_space();
  const std::size_t obs_bytes = os.bytes();
  // obs rows first, then next_obs rows: one forward for both.
  std::vector<int64_t> shape{2 * rows};
  shape.insert(shape.end(), os.shape.begin(), os.shape.end());
  auto x = torch::empty(shape, os.dtype == DType::U8 ? torch::kUInt8 : torch::kFloat32);
  auto action = torch::empty({rows}, torch::kInt64);
  auto reward = torch::empty({rows}, torch::kFloat32);
  auto discount = torch::empty({rows}, torch::kFloat32);
  auto* xp = static_cast<std::byte*>(x.data_ptr());
  for (std::size_t i = 0; i < n; ++i) {
    const TransitionRef t = schema.unpack(records[i]);
    std::memcpy(xp + i * obs_bytes, t.obs, obs_bytes);
    std::memcpy(xp + (n + i) * obs_bytes, t.next_obs, obs_bytes);
    int32_t a;
    std::memcpy(&a, t.action, sizeof a);
    action.data_ptr<int64_t>()[i] = a;
    reward.data_ptr<float>()[i] = t.reward;
    discount.data_ptr<float>()[i] = t.discount;
  }
  torch::Tensor priority;
  {
    c10::InferenceMode guard;
    const auto q = forward(x);
    const auto q_taken = q.slice(0, 0, rows).gather(1, action.unsqueeze(1)).squeeze(1);
    const auto q_next = std::get<0>(q.slice(0, rows, 2 * rows).max(1));
    priority = ((reward + discount * q_next - q_taken).abs() + priority_epsilon).contiguous();
  }
  const float* p = priority.data_ptr<float>();
  for (std::size_t i = 0; i < n; ++i) schema.set_initial_priority(records[i], p[i]);
}

}  // namespace shmrl::actors::detail
