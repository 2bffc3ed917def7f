// The device-side optimizer ops against LibTorch's own: clip_grad_norm vs clip_grad_norm_, and the
// fused Adam step vs torch::optim::Adam::step(), including that each can continue the other's state
// (checkpoints written by one load into the other).
#include "tests/learner/helpers.h"

#include "learner/optim.h"

using namespace shmrl::learner;

namespace {
torch::nn::Sequential small_net(uint64_t seed) {
  torch::manual_seed(seed);
  return torch::nn::Sequential(torch::nn::Linear(5, 16), torch::nn::ReLU(), torch::nn::Linear(16, 3));
}

// Gradients of a fixed loss on a seeded batch.
void backward(torch::nn::Sequential& net, uint64_t seed) {
  torch::manual_seed(seed);
  const auto x = torch::randn({32, 5});
  for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
  net->forward(x).pow(2).mean().backward();
}

bool close(torch::nn::Sequential& a, torch::nn::Sequential& b, double rtol, double atol) {
  auto pa = a->parameters(), pb = b->parameters();
  for (std::size_t i = 0; i < pa.size(); ++i)
    if (!torch::allclose(pa[i], pb[i], rtol, atol)) return false;
  return true;
}
}  // namespace

TEST_CASE("clip_grad_norm matches LibTorch's clip_grad_norm_ and leaves small gradients alone",
          "[learner][optim]") {
  for (double max_norm : {0.05, 1e6}) {
    auto a = small_net(1), b = small_net(1);
    backward(a, 2);
    backward(b, 2);
    const double ref = torch::nn::utils::clip_grad_norm_(a->parameters(), max_norm);
    const torch::Tensor norm = clip_grad_norm(b->parameters(), max_norm);
    CHECK(norm.dim() == 0);
    CHECK(norm.item<double>() == Approx(ref).epsilon(1e-6));
    auto pa = a->parameters(), pb = b->parameters();
    for (std::size_t i = 0; i < pa.size(); ++i) CHECK(torch::allclose(pa[i].grad(), pb[i].grad(), 1e-6, 1e-8));
  }
}

TEST_CASE("fused Adam takes LibTorch Adam's steps in LibTorch Adam's state", "[learner][optim]") {
  auto a = small_net(3), b = small_net(3);
  const auto opts = torch::optim::AdamOptions(1e-2).eps(1e-7);
  torch::optim::Adam ref(a->parameters(), opts), fused(b->parameters(), opts);
  std::vector<torch::Tensor> step_count;
  for (int i = 0; i < 5; ++i) {
    backward(a, 10 + i);
    backward(b, 10 + i);
    ref.step();
    fused_adam_step(fused, step_count);
  }
  CHECK(close(a, b, 1e-5, 1e-7));
  auto pa = a->parameters(), pb = b->parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) {
    const auto& sa = static_cast<torch::optim::AdamParamState&>(*ref.state().at(pa[i].unsafeGetTensorImpl()));
    const auto& sb = static_cast<torch::optim::AdamParamState&>(*fused.state().at(pb[i].unsafeGetTensorImpl()));
    CHECK(sb.step() == 5);
    CHECK(torch::allclose(sa.exp_avg(), sb.exp_avg(), 1e-5, 1e-8));
    CHECK(torch::allclose(sa.exp_avg_sq(), sb.exp_avg_sq(), 1e-5, 1e-10));
  }
  // Either continues the other's state: LibTorch's step() on the fused state and vice versa.
  backward(a, 20);
  backward(b, 20);
  fused_adam_step(ref, step_count);
  fused.step();
  CHECK(close(a, b, 1e-5, 1e-7));
  // A real change each step, not a no-op that would trivially agree.
  auto c = small_net(3);
  CHECK_FALSE(close(a, c, 1e-3, 1e-5));
}

TEST_CASE("fused Adam steps each param group with its own learning rate, skipping gradient-less ones",
          "[learner][optim]") {
  auto a = small_net(4), b = small_net(4);
  // Two groups as SAC/TD3 have them (critic, actor): different lr and eps.
  auto groups = [](torch::nn::Sequential& net) {
    auto p = net->parameters();
    const std::size_t half = p.size() / 2;
    std::vector<torch::optim::OptimizerParamGroup> g;
    g.emplace_back(std::vector<torch::Tensor>(p.begin(), p.begin() + half),
                   std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(1e-2).eps(1e-7)));
    g.emplace_back(std::vector<torch::Tensor>(p.begin() + half, p.end()),
                   std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(3e-3).eps(1e-6)));
    return g;
  };
  torch::optim::Adam ref(groups(a), torch::optim::AdamOptions(1e-2)), fused(groups(b), torch::optim::AdamOptions(1e-2));
  std::vector<torch::Tensor> steps;
  for (int i = 0; i < 6; ++i) {
    backward(a, 30 + i);
    backward(b, 30 + i);
    if (i % 2 == 1) {  // the second group has no gradient every other step (TD3's delayed actor)
      for (auto* net : {&a, &b}) {
        auto p = (*net)->parameters();
        for (std::size_t k = p.size() / 2; k < p.size(); ++k) p[k].mutable_grad() = torch::Tensor();
      }
    }
    ref.step();
    fused_adam_step(fused, steps);
  }
  CHECK(steps.size() == 2);
  CHECK(close(a, b, 1e-5, 1e-7));
  auto pb = b->parameters();
  CHECK(static_cast<torch::optim::AdamParamState&>(*fused.state().at(pb.front().unsafeGetTensorImpl())).step() == 6);
  CHECK(static_cast<torch::optim::AdamParamState&>(*fused.state().at(pb.back().unsafeGetTensorImpl())).step() == 3);
}
