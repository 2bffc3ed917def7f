// Learner update mechanics: gradient-norm clipping, target refresh every T updates, Polyak averaging.
#include "tests/learner/helpers.h"

#include "learner/dqn.h"

using namespace shmrl;
using namespace shmrl::learner;
using namespace shmrl::models;
using namespace shmrl::learner::test;

namespace {
// A random CartPole-shaped batch (seeded).
Batch random_batch(int64_t b, uint64_t seed, float reward_scale = 1.0f) {
  torch::manual_seed(seed);
  Batch x;
  x.obs = torch::randn({b, 4});
  x.next_obs = torch::randn({b, 4});
  x.action = torch::randint(0, 2, {b}, torch::kInt32);
  x.reward = torch::randn({b}) * reward_scale;
  x.discount = torch::full({b}, 0.97f);
  x.weights = torch::rand({b});
  return x;
}

double grad_norm(QModel& m) {
  double s = 0;
  for (auto& p : m.module->parameters()) s += p.grad().pow(2).sum().item<double>();
  return std::sqrt(s);
}

bool same_params(QModel& a, QModel& b) {
  auto pa = a.module->parameters(), pb = b.module->parameters();
  for (std::size_t i = 0; i < pa.size(); ++i)
    if (!torch::equal(pa[i], pb[i])) return false;
  return true;
}

models::QNetOptions small_mlp() {
  models::QNetOptions o;
  o.obs_dim = 4;
  o.num_actions = 2;
  o.hidden = {16};
  o.dueling = true;
  return o;
}
}  // namespace

TEST_CASE("gradients are clipped to grad_clip_norm, and left alone below it", "[learner][clip]") {
  torch::manual_seed(1);
  DqnOptions o = default_dqn();
  o.grad_clip_norm = 0.01;
  DqnLearner clipped(qnet_factory(small_mlp()), o, torch::kCPU);
  auto r = clipped.step(random_batch(64, 2, /*reward_scale=*/100.0f));
  REQUIRE(r.applied);
  CHECK(r.grad_norm() > 0.1);  // large TD errors: far above the limit before clipping
  CHECK(grad_norm(clipped.online()) == Approx(0.01).epsilon(1e-4));

  torch::manual_seed(1);
  o.grad_clip_norm = 1e9;
  DqnLearner loose(qnet_factory(small_mlp()), o, torch::kCPU);
  auto r2 = loose.step(random_batch(64, 2, 100.0f));
  CHECK(r2.grad_norm() == Approx(r.grad_norm()).epsilon(1e-5));  // same net, same batch
  CHECK(grad_norm(loose.online()) == Approx(r2.grad_norm()).epsilon(1e-5));
}

TEST_CASE("the target network is refreshed every target_update_period updates", "[learner][target]") {
  torch::manual_seed(3);
  DqnOptions o = default_dqn();
  o.target_update_period = 3;
  DqnLearner l(qnet_factory(small_mlp()), o, torch::kCPU);
  REQUIRE(same_params(l.online(), l.target()));
  for (int i = 1; i <= 7; ++i) {
    l.step(random_batch(32, 10 + i));
    INFO("after update " << i);
    CHECK(same_params(l.online(), l.target()) == (i % 3 == 0));
  }
  for (auto& p : l.target().module->parameters()) CHECK_FALSE(p.requires_grad());
}

TEST_CASE("Polyak averaging moves the target by tau towards the online network", "[learner][target]") {
  torch::manual_seed(4);
  DqnOptions o = default_dqn();
  o.target_update_period = 0;
  o.tau = 0.25;
  DqnLearner l(qnet_factory(small_mlp()), o, torch::kCPU);
  std::vector<torch::Tensor> before;
  for (auto& p : l.target().module->parameters()) before.push_back(p.clone());
  l.step(random_batch(32, 5));
  auto online = l.online().module->parameters(), target = l.target().module->parameters();
  for (std::size_t i = 0; i < target.size(); ++i)
    CHECK(torch::allclose(target[i], 0.75 * before[i] + 0.25 * online[i], 1e-6, 1e-7));
}

TEST_CASE("a stop vote skips the update", "[learner][dqn]") {
  torch::manual_seed(6);
  DqnLearner l(qnet_factory(small_mlp()), default_dqn(), torch::kCPU);
  auto before = l.online().module->parameters()[0].clone();
  auto r = l.step(random_batch(32, 7), /*stop=*/true);
  CHECK_FALSE(r.applied);
  CHECK(l.updates() == 0);
  CHECK(torch::equal(before, l.online().module->parameters()[0]));
}

TEST_CASE("DQN options are validated with the key named", "[learner][options]") {
  DqnOptions o = default_dqn();
  o.target_update_period = 0;
  o.tau = 0;
  CHECK_THROWS_WITH(DqnLearner(qnet_factory(small_mlp()), o, torch::kCPU),
                    Catch::Contains("learner.tau"));
  o = default_dqn();
  o.lr = -1;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("learner.lr"));
}

TEST_CASE("learners with copied online and target networks take the same update", "[learner][dqn]") {
  torch::manual_seed(7);
  DqnLearner a(qnet_factory(small_mlp()), default_dqn(), torch::kCPU);
  torch::manual_seed(8);
  DqnLearner b(qnet_factory(small_mlp()), default_dqn(), torch::kCPU);
  torch::manual_seed(8);
  DqnLearner online_only(qnet_factory(small_mlp()), default_dqn(), torch::kCPU);
  copy_networks(a, b);
  {
    torch::NoGradGuard g;
    auto s = a.online().module->parameters(), d = online_only.online().module->parameters();
    for (std::size_t i = 0; i < s.size(); ++i) d[i].copy_(s[i]);
  }
  const auto ra = a.step(random_batch(32, 9)), rb = b.step(random_batch(32, 9));
  const auto ro = online_only.step(random_batch(32, 9));
  CHECK(rb.loss() == ra.loss());
  CHECK(same_params(a.online(), b.online()));
  // The target network enters the loss: copying the online network alone is not the same learner.
  CHECK(ro.loss() != ra.loss());
}
