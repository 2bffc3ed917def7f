// DQN learning signal on hand-computed batches: n-step double-DQN targets with termination vs
// truncation, importance-weighted Huber loss, the dueling aggregation, and one full learner update.
#include "tests/learner/helpers.h"

#include "learner/dqn.h"
#include "learner/targets.h"

using namespace shmrl;
using namespace shmrl::learner;
using namespace shmrl::models;
using namespace shmrl::learner::test;

namespace {
// Online Q(s) = s (identity), target Q(s) = diag(10, 1) s: at s' = (0.5, 2.0) the online argmax is
// action 1 while the target's own max is action 0, so double DQN and plain DQN differ.
struct HandNets {
  QModel online, target;
  HandNets() {
    auto f = qnet_factory(linear_qnet(2, 2));
    online = f();
    target = f();
    set_linear(as_qnet(online).head(), {1, 0, 0, 1}, {0, 0});
    set_linear(as_qnet(target).head(), {10, 0, 0, 1}, {0, 0});
  }
};
}  // namespace

TEST_CASE("double DQN n-step targets: termination stops the bootstrap, truncation keeps it",
          "[learner][targets]") {
  torch::NoGradGuard g;
  HandNets nets;
  const float gamma = 0.9f;
  // Three 3-step records from rewards (1, 1, 1): R = 1 + 0.9 + 0.81 = 2.71.
  //   0: episode terminated inside the n steps -> discount 0
  //   1: episode truncated by the time limit   -> discount gamma^3, bootstrap from the true final obs
  //   2: mid-episode                           -> discount gamma^3
  auto reward = t1({2.71f, 2.71f, 2.71f});
  auto discount = t1({0.0f, gamma * gamma * gamma, gamma * gamma * gamma});
  auto next_obs = t2({0.5f, 2.0f, 0.5f, 2.0f, 3.0f, 0.25f}, 3);
  auto qo = nets.online.forward(next_obs), qt = nets.target.forward(next_obs);

  auto y = double_dqn_targets(reward, discount, qo, qt);
  // Record 1: argmax online (0.5, 2.0) = action 1; target Q(s', 1) = 2.0.
  // Record 2: argmax online (3.0, 0.25) = action 0; target Q(s', 0) = 30.
  CHECK(y[0].item<float>() == Approx(2.71));
  CHECK(y[1].item<float>() == Approx(2.71 + 0.729 * 2.0));
  CHECK(y[2].item<float>() == Approx(2.71 + 0.729 * 30.0));

  auto y_plain = dqn_targets(reward, discount, qt);  // max target: action 0 -> 5.0 for record 1
  CHECK(y_plain[0].item<float>() == Approx(2.71));
  CHECK(y_plain[1].item<float>() == Approx(2.71 + 0.729 * 5.0));
  CHECK(y_plain[2].item<float>() == Approx(2.71 + 0.729 * 30.0));
}

TEST_CASE("a terminal record ignores a non-finite bootstrap value", "[learner][targets]") {
  auto y = double_dqn_targets(t1({1.0f}), t1({0.0f}), t2({0, 1}, 1),
                              t2({0, std::numeric_limits<float>::infinity()}, 1));
  CHECK(y[0].item<float>() == 1.0f);
}

TEST_CASE("importance-weighted Huber loss", "[learner][loss]") {
  // huber_1(0.5) = 0.125, huber_1(-2) = 1.5, huber_1(3) = 2.5; weighted by (1, 0.5, 0.25):
  // 0.125 + 0.75 + 0.625 = 1.5, mean 0.5.
  auto td = t1({0.5f, -2.0f, 3.0f}), w = t1({1.0f, 0.5f, 0.25f});
  CHECK(weighted_huber_loss(td, w).item<float>() == Approx(0.5));
  // kappa = 2: huber_2(0.5) = 0.125, huber_2(-2) = 2, huber_2(3) = 2 * (3 - 1) = 4.
  CHECK(weighted_huber_loss(td, w, 2.0).item<float>() == Approx((0.125 + 1.0 + 1.0) / 3));
  // Zero weight removes an item entirely.
  CHECK(weighted_huber_loss(td, t1({0, 0, 1})).item<float>() == Approx(2.5 / 3));
  CHECK_THROWS(weighted_huber_loss(td, w, 0.0));
}

TEST_CASE("dueling aggregation Q = V + A - mean(A) on set weights", "[learner][dueling]") {
  models::QNet net(linear_qnet(2, 3, /*dueling=*/true));
  set_linear(net->head(), {1, 0, 0, 1, 1, 1}, {0, 0, 0});  // A(s) = (s0, s1, s0 + s1)
  set_linear(net->value(), {1, 1}, {0.5f});                // V(s) = s0 + s1 + 0.5
  torch::NoGradGuard g;
  auto q = net->forward(t2({1, 2, -1, 0}, 2));
  // s = (1, 2): A = (1, 2, 3), mean 2, V = 3.5 -> Q = (2.5, 3.5, 4.5).
  // s = (-1, 0): A = (-1, 0, -1), mean -2/3, V = -0.5 -> Q = (-5/6, 1/6, -5/6).
  CHECK(q[0][0].item<float>() == Approx(2.5));
  CHECK(q[0][1].item<float>() == Approx(3.5));
  CHECK(q[0][2].item<float>() == Approx(4.5));
  CHECK(q[1][0].item<float>() == Approx(-5.0 / 6));
  CHECK(q[1][1].item<float>() == Approx(1.0 / 6));
  CHECK(q[1][2].item<float>() == Approx(-5.0 / 6));
}

TEST_CASE("a learner update uses Q(s, a), the target net and the weights as computed by hand",
          "[learner][dqn]") {
  DqnOptions o = default_dqn();
  o.lr = 1e-3;
  o.grad_clip_norm = 1e6;
  DqnLearner l(qnet_factory(linear_qnet(2, 2)), o, torch::kCPU);
  set_linear(as_qnet(l.online()).head(), {1, 0, 0, 1}, {0, 0});
  set_linear(as_qnet(l.target()).head(), {10, 0, 0, 1}, {0, 0});
  Batch b;
  b.obs = t2({1.0f, 0.0f, 0.0f, 2.0f}, 2);  // Q(s0) = (1, 0), Q(s1) = (0, 2)
  b.action = torch::tensor({0, 1}, torch::kInt32);
  b.reward = t1({1.0f, 0.5f});
  b.discount = t1({0.0f, 0.5f});  // record 0 terminated
  b.next_obs = t2({9.0f, 9.0f, 0.5f, 2.0f}, 2);
  b.weights = t1({1.0f, 0.5f});
  auto r = l.step(b);
  REQUIRE(r.applied);
  // y0 = 1 (terminal); y1 = 0.5 + 0.5 * Qt(s1', argmax Qo(s1') = 1) = 0.5 + 0.5 * 2 = 1.5.
  // td = y - Q(s, a): 1 - 1 = 0, 1.5 - 2 = -0.5. loss = (1 * 0 + 0.5 * 0.125) / 2.
  CHECK(r.td_abs()[0].item<float>() == Approx(0.0).margin(1e-6));
  CHECK(r.td_abs()[1].item<float>() == Approx(0.5));
  CHECK(r.loss() == Approx(0.03125));
  CHECK(l.updates() == 1);
  // Gradient of the loss w.r.t. the head weight: only row 1 (action 1) of record 1 contributes:
  // dL/dQ = -w * td / B = -(0.5 * -0.5) / 2 = 0.125 with Q = W s: dL/dW[1] = 0.125 * s1 = (0, 0.25).
  auto gw = as_qnet(l.online()).head()->weight.grad();
  CHECK(gw[0][0].item<float>() == Approx(0.0).margin(1e-7));
  CHECK(gw[1][1].item<float>() == Approx(0.25));
}
