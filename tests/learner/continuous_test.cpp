// SAC and TD3 on hand-computed batches: the tanh log-probability correction, the entropy
// temperature loss and its gradient, clipped target smoothing noise, the minimum over twin critics,
// Polyak averaging, the policy delay, and full learner updates (what moves, what stays).
#include "tests/learner/helpers.h"

#include <cmath>

#include "learner/continuous_targets.h"
#include "learner/sac.h"
#include "learner/td3.h"
#include "models/actor_critic.h"

using namespace shmrl;
using namespace shmrl::learner;
using namespace shmrl::models;
using namespace shmrl::learner::test;

namespace {
ActorCriticOptions ac_options() {
  ActorCriticOptions o;
  o.critic_lr = 1e-3;
  o.actor_lr = 1e-3;
  o.alpha_lr = 1e-3;
  o.adam_eps = 1e-8;
  o.grad_clip_norm = 100;
  o.tau = 0.1;
  o.init_alpha = 0.5;
  o.auto_alpha = true;
  o.policy_delay = 3;
  o.target_noise = 0.2;
  o.noise_clip = 0.5;
  return o;
}

// Pendulum-like spaces: 3 observations, one action in [-2, 2].
ActorNetOptions small_net() { return ActorNetOptions{3, {-2.0f}, {2.0f}, {16, 16}}; }

Batch random_batch(int64_t n) {
  Batch b;
  b.obs = torch::randn({n, 3});
  b.next_obs = torch::randn({n, 3});
  b.action = torch::rand({n, 1}) * 4 - 2;
  b.reward = torch::randn({n});
  b.discount = torch::full({n}, 0.97f);
  b.weights = torch::ones({n});
  return b;
}

std::vector<torch::Tensor> snapshot(torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (auto& p : m.parameters()) out.push_back(p.detach().clone());
  return out;
}

bool same(const std::vector<torch::Tensor>& a, torch::nn::Module& m) {
  auto now = m.parameters();
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], now[i])) return false;
  return true;
}
}  // namespace

TEST_CASE("squashed Gaussian log-probability: Gaussian density minus the tanh and scale Jacobian",
          "[learner][sac]") {
  // One row, two action dimensions with half-ranges 2 and 0.5.
  const double u0 = 0.3, u1 = -1.2, m0 = 0.1, m1 = -1.0, ls0 = std::log(0.5), ls1 = std::log(2.0);
  auto logp = squashed_gaussian_log_prob(t2({float(u0), float(u1)}, 1), t2({float(m0), float(m1)}, 1),
                                         t2({float(ls0), float(ls1)}, 1), t1({2.0f, 0.5f}));
  auto normal = [](double u, double m, double s) {
    return -0.5 * ((u - m) / s) * ((u - m) / s) - std::log(s) - 0.5 * std::log(2 * M_PI);
  };
  const double want = normal(u0, m0, 0.5) - std::log(2.0 * (1 - std::tanh(u0) * std::tanh(u0))) +
                      normal(u1, m1, 2.0) - std::log(0.5 * (1 - std::tanh(u1) * std::tanh(u1)));
  REQUIRE(logp.sizes() == torch::IntArrayRef{1});
  CHECK(logp.item<double>() == Approx(want).epsilon(1e-5));
  // Far in tanh's saturation the naive log(1 - tanh^2) is log(0); the stable form stays finite:
  // log(1 - tanh(u)^2) -> 2 log 2 - 2|u| for large |u|.
  auto far = squashed_gaussian_log_prob(t2({20.0f}, 1), t2({20.0f}, 1), t2({0.0f}, 1), t1({1.0f}));
  CHECK(std::isfinite(far.item<double>()));
  CHECK(far.item<double>() == Approx(-0.5 * std::log(2 * M_PI) - (2 * std::log(2.0) - 40)).epsilon(1e-5));
}

TEST_CASE("SAC samples stay inside the bounds and their log-probabilities match the formula",
          "[learner][sac]") {
  torch::manual_seed(3);
  GaussianActorNet actor(ActorNetOptions{3, {-2.0f, 0.0f}, {2.0f, 1.0f}, {8}});
  auto obs = torch::randn({64, 3});
  auto noise = torch::randn({64, 2}) * 3;
  auto [action, logp] = actor->sample(obs, noise);
  auto [mean, log_std] = actor->forward(obs);
  auto u = mean + log_std.exp() * noise;
  CHECK(torch::allclose(logp, squashed_gaussian_log_prob(u, mean, log_std, t1({2.0f, 0.5f}))));
  CHECK(torch::all(action.select(1, 0) >= -2).item<bool>());
  CHECK(torch::all(action.select(1, 0) <= 2).item<bool>());
  CHECK(torch::all(action.select(1, 1) >= 0).item<bool>());
  CHECK(torch::all(action.select(1, 1) <= 1).item<bool>());
  // The evaluation action is the squashed mean.
  CHECK(torch::allclose(actor->mean_action(obs), torch::stack({2 * mean.select(1, 0).tanh(),
                                                               0.5 + 0.5 * mean.select(1, 1).tanh()}, 1)));
}

TEST_CASE("SAC targets: minimum of the twin target critics, entropy bonus, no bootstrap after termination",
          "[learner][sac]") {
  // Record 0 bootstraps: 1 + 0.9 * (min(3, 4) - 0.5 * (-1)) = 4.15. Record 1 terminated: y = r,
  // even with an infinite target value.
  auto y = sac_targets(t1({1, 2}), t1({0.9f, 0}), t1({3, INFINITY}), t1({4, 5}), t1({-1, 0}),
                       torch::tensor(0.5f));
  CHECK(y[0].item<float>() == Approx(4.15));
  CHECK(y[1].item<float>() == 2.0f);
  // TD3: the same minimum without the entropy term; q2 is the smaller one for record 0 here.
  auto y3 = td3_targets(t1({1, 2}), t1({0.5f, 0.5f}), t1({3, -1}), t1({2, 7}));
  CHECK(y3[0].item<float>() == Approx(1 + 0.5 * 2));
  CHECK(y3[1].item<float>() == Approx(2 + 0.5 * -1));
}

TEST_CASE("entropy temperature loss and its gradient", "[learner][sac]") {
  auto log_alpha = torch::full({1}, 0.3f, torch::requires_grad());
  // mean(log pi + target_entropy) = mean(-1 - 1, -2 - 1) = -2.5: entropy above the target.
  auto loss = alpha_loss(log_alpha, t1({-1, -2}), -1.0);
  CHECK(loss.item<float>() == Approx(0.75));  // -0.3 * -2.5
  loss.backward();
  CHECK(log_alpha.grad().item<float>() == Approx(2.5));  // gradient descent lowers alpha
  // Entropy below the target (log pi high): the gradient is negative, alpha goes up.
  auto la = torch::zeros({1}, torch::requires_grad());
  alpha_loss(la, t1({3, 1}), -1.0).backward();
  CHECK(la.grad().item<float>() == Approx(-1.0));
}

TEST_CASE("TD3 target smoothing: noise clipped, then the action clipped to the bounds", "[learner][td3]") {
  auto a = smoothed_target_actions(t2({0.9f, -0.5f, 0.0f, 0.0f}, 2), t2({0.5f, -0.05f, -3.0f, 0.1f}, 2),
                                   t1({0.2f, 0.2f}), t1({-1, -1}), t1({1, 1}));
  CHECK(a[0][0].item<float>() == Approx(1.0));    // 0.9 + 0.2 (clipped noise) -> bound 1
  CHECK(a[0][1].item<float>() == Approx(-0.55));  // small noise passes unchanged
  CHECK(a[1][0].item<float>() == Approx(-0.2));   // -3 clipped to -0.2
  CHECK(a[1][1].item<float>() == Approx(0.1));
}

TEST_CASE("twin critic loss is importance-weighted and Polyak moves targets by tau", "[learner][sac]") {
  // ((1-2)^2 + (4-2)^2) / 2 * w=1 and ((0-1)^2 + (0-1)^2) / 2 * w=0.5, averaged: (2.5 + 0.5) / 2.
  auto loss = twin_critic_loss(t1({1, 0}), t1({4, 0}), t1({2, 1}), t1({1, 0.5f}));
  CHECK(loss.item<float>() == Approx(1.5));
  std::vector<torch::Tensor> target{t1({0, 10})}, online{t1({1, 0})};
  polyak_update(target, online, 0.1);
  CHECK(target[0][0].item<float>() == Approx(0.1));
  CHECK(target[0][1].item<float>() == Approx(9.0));
}

TEST_CASE("one SAC update moves critics, actor and alpha, and the target critics by tau",
          "[learner][sac]") {
  torch::manual_seed(1);
  SacLearner l(small_net(), ac_options(), torch::kCPU);
  auto critic0 = snapshot(*l.nets().critic), actor0 = snapshot(*l.nets().actor);
  auto target0 = snapshot(l.target_critic());
  CHECK(l.alpha() == Approx(0.5));
  CHECK(l.target_entropy() == -1.0);
  auto r = l.step(random_batch(32));
  REQUIRE(r.applied);
  CHECK(l.updates() == 1);
  CHECK(r.td_abs().sizes() == torch::IntArrayRef{32});
  CHECK_FALSE(same(critic0, *l.nets().critic));
  CHECK_FALSE(same(actor0, *l.nets().actor));
  CHECK(l.alpha() != Approx(0.5).epsilon(1e-9));
  // target' = target + tau (online' - target), with target = online before the update.
  auto online = l.nets().critic->parameters(), target = l.target_critic().parameters();
  for (std::size_t i = 0; i < target.size(); ++i)
    CHECK(torch::allclose(target[i], target0[i] + 0.1 * (online[i] - target0[i]), 1e-5, 1e-6));

  // A fixed temperature never moves.
  auto fixed = ac_options();
  fixed.auto_alpha = false;
  SacLearner f(small_net(), fixed, torch::kCPU);
  f.step(random_batch(32));
  CHECK(f.alpha() == Approx(0.5));
}

TEST_CASE("TD3 moves the actor and the targets once every policy_delay updates", "[learner][td3]") {
  torch::manual_seed(2);
  Td3Learner l(small_net(), ac_options(), torch::kCPU);  // policy_delay 3
  for (int u = 1; u <= 7; ++u) {
    auto actor0 = snapshot(*l.nets().actor), target0 = snapshot(l.target());
    auto critic0 = snapshot(*l.nets().critic);
    REQUIRE(l.step(random_batch(16)).applied);
    INFO("update " << u);
    const bool delayed = u % 3 == 0;
    CHECK_FALSE(same(critic0, *l.nets().critic));  // critics move every update
    CHECK(same(actor0, *l.nets().actor) == !delayed);
    CHECK(same(target0, l.target()) == !delayed);
  }
  CHECK(l.actor_updates() == 2);
  CHECK(l.updates() == 7);
}

TEST_CASE("actor-critic options are validated with the key named", "[learner][sac][td3]") {
  auto o = ac_options();
  o.tau = 0;
  CHECK_THROWS_WITH(SacLearner(small_net(), o, torch::kCPU), Catch::Contains("learner.critic_tau"));
  o = ac_options();
  o.policy_delay = 0;
  CHECK_THROWS_WITH(Td3Learner(small_net(), o, torch::kCPU), Catch::Contains("learner.td3_policy_delay"));
  o = ac_options();
  o.init_alpha = -1;
  CHECK_THROWS_WITH(SacLearner(small_net(), o, torch::kCPU), Catch::Contains("learner.sac_alpha"));
}
