// The weights blob (round trip, refusal of a different architecture or a damaged blob) and the
// LibTorch policies: the lean greedy path picks QNet's argmax, epsilon and noise behave.
#include <torch/torch.h>
// c10 defines a glog-style CHECK macro; undefine it so Catch's CHECK is the one used here.
#undef CHECK
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <random>
#include <cmath>
#include <cstring>
#include <set>

#include "actors/policy.h"
#include "common/schema.h"
#include "models/actor_net.h"
#include "models/gaussian_actor.h"
#include "models/qnet.h"
#include "models/weights_blob.h"

using namespace shmrl;
using namespace shmrl::actors;
using namespace shmrl::models;

namespace {

bool same_parameters(torch::nn::Module& a, torch::nn::Module& b) {
  auto pa = a.parameters(), pb = b.parameters();
  if (pa.size() != pb.size()) return false;
  for (std::size_t i = 0; i < pa.size(); ++i)
    if (!torch::equal(pa[i], pb[i])) return false;
  return true;
}

const Space kCartObs = Space::box({4}, std::vector<float>(4, -1e9f), std::vector<float>(4, 1e9f));

}  // namespace

TEST_CASE("weights blob round trip copies every parameter exactly", "[weights]") {
  torch::manual_seed(1);
  QNet a(QNetOptions{4, 3, {16, 8}, true});
  torch::manual_seed(2);
  QNet b(QNetOptions{4, 3, {16, 8}, true});
  REQUIRE_FALSE(same_parameters(*a, *b));
  const auto blob = save_weights_blob(*a);
  CHECK(blob.size() == weights_blob_bytes(*a));
  // torso0 16x4+16, torso1 8x16+8, head 3x8+3, value 1x8+1 = 80 + 136 + 27 + 9
  const auto h = read_weights_blob_header(blob);
  CHECK(h.param_count == 8);
  CHECK(h.num_floats == 252);
  CHECK(h.fingerprint == weights_fingerprint(*b));
  load_weights_blob(*b, blob);
  CHECK(same_parameters(*a, *b));
  const auto x = torch::randn({5, 4});
  CHECK(torch::equal(a->forward(x), b->forward(x)));
}

TEST_CASE("weights blob refuses another architecture and damaged blobs", "[weights]") {
  QNet a(QNetOptions{4, 2, {64, 64}, true});
  QNet wider(QNetOptions{4, 2, {64, 32}, true});
  QNet plain(QNetOptions{4, 2, {64, 64}, false});
  const auto blob = save_weights_blob(*a);
  const auto before = save_weights_blob(*wider);
  CHECK_THROWS_WITH(load_weights_blob(*wider, blob), Catch::Contains("does not fit"));
  CHECK((save_weights_blob(*wider) == before));  // untouched
  CHECK_THROWS_AS(load_weights_blob(*plain, blob), std::invalid_argument);
  auto truncated = blob;
  truncated.resize(blob.size() - 4);
  CHECK_THROWS_WITH(load_weights_blob(*a, truncated), Catch::Contains("header announces"));
  auto bad_magic = blob;
  bad_magic[0] = std::byte{0};
  CHECK_THROWS_WITH(load_weights_blob(*a, bad_magic), Catch::Contains("magic"));
  CHECK_THROWS_AS(read_weights_blob_header(std::span(blob).first(8)), std::invalid_argument);
}

TEST_CASE("greedy Q policy picks argmax of QNet on a batch", "[policy]") {
  for (bool dueling : {false, true}) {
    PolicyOptions o;
    o.hidden = {32, 32};
    o.dueling = dueling;
    o.epsilon = {0.0};
    o.seed = 5;
    const std::size_t batch = 64;
    auto policy = make_policy(kCartObs, Space::discrete(3), o, batch);
    QNet reference(QNetOptions{4, 3, {32, 32}, dueling});
    load_weights_blob(*reference, policy->save_weights());

    torch::manual_seed(11);
    const auto x = torch::randn({int64_t(batch), 4}) * 3;
    std::memcpy(policy->input(), x.data_ptr<float>(), batch * 4 * sizeof(float));
    std::vector<int32_t> actions(batch, -1);
    policy->act(reinterpret_cast<std::byte*>(actions.data()));
    torch::NoGradGuard ng;
    const auto q = reference->forward(x);
    const auto best = q.argmax(1);
    for (std::size_t i = 0; i < batch; ++i) {
      // Ties within float rounding could legitimately differ; require the chosen Q to be maximal.
      const float chosen = q[i][actions[i]].item<float>();
      CHECK(chosen >= q[i].max().item<float>() - 1e-5f);
      CHECK(actions[i] == best[i].item<int64_t>());
    }
  }
}

TEST_CASE("policy weights follow load_weights", "[policy]") {
  PolicyOptions o;
  o.hidden = {8};
  o.dueling = false;
  auto policy = make_policy(kCartObs, Space::discrete(2), o, 4);
  QNet net(QNetOptions{4, 2, {8}, false});
  {
    torch::NoGradGuard ng;
    for (auto& p : net->parameters()) p.zero_();
    net->head()->bias[1] = 1.0f;  // Q = (0, 1) everywhere: greedy is action 1
  }
  policy->load_weights(save_weights_blob(*net));
  std::fill_n(policy->input(), 16, 0.5f);
  std::vector<int32_t> a(4, -1);
  policy->act(reinterpret_cast<std::byte*>(a.data()));
  CHECK(a == std::vector<int32_t>{1, 1, 1, 1});
  QNet other(QNetOptions{4, 2, {9}, false});
  CHECK_THROWS_AS(policy->load_weights(save_weights_blob(*other)), std::invalid_argument);
}

TEST_CASE("epsilon-greedy explores uniformly at epsilon 1", "[policy]") {
  PolicyOptions o;
  o.hidden = {8};
  o.epsilon = {1.0};
  o.seed = 3;
  const std::size_t batch = 1000;
  auto policy = make_policy(kCartObs, Space::discrete(4), o, batch);
  std::fill_n(policy->input(), batch * 4, 0.1f);
  std::vector<int32_t> a(batch);
  policy->act(reinterpret_cast<std::byte*>(a.data()));
  std::vector<int> counts(4);
  for (auto v : a) {
    REQUIRE((v >= 0 && v < 4));
    counts[v]++;
  }
  for (int c : counts) CHECK((c > 180 && c < 320));  // 250 expected, ~14 std
}

TEST_CASE("epsilon per batch row: greedy rows stay greedy, epsilon-1 rows explore", "[policy]") {
  PolicyOptions o;
  o.hidden = {8};
  o.dueling = false;
  const std::size_t batch = 400;
  o.epsilon.assign(batch, 0.0);
  for (std::size_t i = 1; i < batch; i += 2) o.epsilon[i] = 1.0;  // odd rows random, even rows greedy
  auto policy = make_policy(kCartObs, Space::discrete(4), o, batch);
  QNet net(QNetOptions{4, 4, {8}, false});
  {
    torch::NoGradGuard ng;
    for (auto& p : net->parameters()) p.zero_();
    net->head()->bias[2] = 1.0f;  // greedy is action 2 everywhere
  }
  policy->load_weights(save_weights_blob(*net));
  std::fill_n(policy->input(), batch * 4, 0.1f);
  std::vector<int32_t> a(batch);
  policy->act(reinterpret_cast<std::byte*>(a.data()));
  int odd_not_greedy = 0;
  for (std::size_t i = 0; i < batch; ++i) {
    if (i % 2 == 0) CHECK(a[i] == 2);
    else odd_not_greedy += a[i] != 2;
  }
  CHECK((odd_not_greedy > 110 && odd_not_greedy < 190));  // 150 expected (3/4 of 200), ~6 std
  o.epsilon.assign(3, 0.5);  // neither one value nor one per row
  CHECK_THROWS_WITH(make_policy(kCartObs, Space::discrete(4), o, batch), Catch::Contains("epsilons"));
}

TEST_CASE("TD3 policy: deterministic actor plus clipped noise", "[policy]") {
  const Space obs = Space::box({3}, std::vector<float>(3, -10), std::vector<float>(3, 10));
  const Space act = Space::box({2}, {-2.f, 0.f}, {2.f, 1.f});
  PolicyOptions o;
  o.algorithm = shmrl::Algorithm::Td3;
  o.hidden = {16};
  o.noise_std = 0;
  o.seed = 9;
  const std::size_t batch = 32;
  auto quiet = make_policy(obs, act, o, batch);
  DeterministicActorNet ref(ActorNetOptions{3, act.low, act.high, {16}});
  load_weights_blob(*ref, quiet->save_weights());
  const auto x = torch::randn({int64_t(batch), 3});
  std::memcpy(quiet->input(), x.data_ptr<float>(), batch * 3 * 4);
  std::vector<float> a(batch * 2);
  quiet->act(reinterpret_cast<std::byte*>(a.data()));
  torch::NoGradGuard ng;
  const auto mu = ref->forward(x).contiguous();
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == Approx(mu.data_ptr<float>()[i]));

  o.noise_std = 5.0;  // huge noise: many actions hit the bounds, none leave them
  auto noisy = make_policy(obs, act, o, batch);
  std::memcpy(noisy->input(), x.data_ptr<float>(), batch * 3 * 4);
  noisy->act(reinterpret_cast<std::byte*>(a.data()));
  std::set<float> distinct(a.begin(), a.end());
  CHECK(distinct.size() > 4);
  for (std::size_t i = 0; i < batch; ++i) {
    CHECK((a[2 * i] >= -2.f && a[2 * i] <= 2.f));
    CHECK((a[2 * i + 1] >= 0.f && a[2 * i + 1] <= 1.f));
  }
}

TEST_CASE("SAC policy: squashed Gaussian samples inside the bounds, spread by noise_scale", "[policy]") {
  const Space obs = Space::box({3}, std::vector<float>(3, -10), std::vector<float>(3, 10));
  const Space act = Space::box({2}, {-2.f, 0.f}, {2.f, 1.f});
  PolicyOptions o;
  o.algorithm = shmrl::Algorithm::Sac;
  o.hidden = {16};
  o.seed = 5;
  const std::size_t batch = 256;
  auto spread = [&](double scale) {
    o.noise_scale = scale;
    auto policy = make_policy(obs, act, o, batch);
    std::fill_n(policy->input(), batch * 3, 0.5f);  // one observation, many samples
    std::vector<float> a(batch * 2);
    policy->act(reinterpret_cast<std::byte*>(a.data()));
    double sum = 0, sq = 0;
    for (std::size_t i = 0; i < batch; ++i) {
      CHECK((a[2 * i] >= -2.f && a[2 * i] <= 2.f));
      CHECK((a[2 * i + 1] >= 0.f && a[2 * i + 1] <= 1.f));
      sum += a[2 * i];
      sq += a[2 * i] * a[2 * i];
    }
    const double mean = sum / batch;
    return std::sqrt(sq / batch - mean * mean);
  };
  // A fresh policy's std is about exp(0) = 1 before the tanh: samples spread widely; a tenth of the
  // std spreads them far less. Same seed, same weights.
  const double wide = spread(1.0), narrow = spread(0.1);
  CHECK(wide > 0.5);
  CHECK(narrow < wide / 4);
  CHECK(narrow > 0);
  // Its weights are a GaussianActorNet's blob.
  GaussianActorNet ref(ActorNetOptions{3, act.low, act.high, {16}});
  CHECK_NOTHROW(load_weights_blob(*ref, make_policy(obs, act, o, 4)->save_weights()));
  CHECK_THROWS_WITH(make_policy(obs, Space::discrete(2), o, 4), Catch::Contains("SAC policy"));
}

TEST_CASE("policies refuse unsupported spaces and options", "[policy]") {
  PolicyOptions o;
  CHECK_THROWS_WITH(make_policy(Space::discrete(3), Space::discrete(2), o, 4),
                    Catch::Contains("observation space"));
  const Space unbounded = Space::box({1}, {-INFINITY}, {INFINITY});
  CHECK_THROWS_AS(make_policy(kCartObs, unbounded, o, 4), std::invalid_argument);
  o.epsilon = {2.0};
  CHECK_THROWS_WITH(make_policy(kCartObs, Space::discrete(2), o, 4), Catch::Contains("epsilon"));
}

TEST_CASE("a policy's initial weights follow its seed", "[policy]") {
  PolicyOptions o;
  o.hidden = {8};
  o.seed = 21;
  auto a = make_policy(kCartObs, Space::discrete(2), o, 4);
  torch::manual_seed(999);  // whatever the process's generator held before
  auto b = make_policy(kCartObs, Space::discrete(2), o, 4);
  o.seed = 22;
  auto c = make_policy(kCartObs, Space::discrete(2), o, 4);
  CHECK((a->save_weights() == b->save_weights()));
  CHECK((a->save_weights() != c->save_weights()));
}

TEST_CASE("Q policy priorities: |r + discount * max_a Q(next, a) - Q(obs, action)| + epsilon", "[policy]") {
  PolicyOptions o;
  o.hidden = {8};
  o.dueling = true;
  o.seed = 11;
  auto policy = make_policy(kCartObs, Space::discrete(3), o, 4);
  REQUIRE(policy->estimates_priorities());
  QNet net(QNetOptions{4, 3, {8}, true});
  policy->load_weights(save_weights_blob(*net));
  const TransitionSchema schema(kCartObs, Space::discrete(3));
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<std::vector<std::byte>> store(6, std::vector<std::byte>(schema.record_bytes()));
  std::vector<std::byte*> records;
  std::vector<float> expected;
  for (int i = 0; i < 6; ++i) {
    std::array<float, 4> obs, next;
    for (auto& x : obs) x = u(rng);
    for (auto& x : next) x = u(rng);
    const int32_t action = i % 3;
    TransitionRef t;
    t.obs = reinterpret_cast<const std::byte*>(obs.data());
    t.next_obs = reinterpret_cast<const std::byte*>(next.data());
    t.action = reinterpret_cast<const std::byte*>(&action);
    t.reward = u(rng);
    t.discount = i == 5 ? 0.0f : 0.9f;  // the last one terminated: no bootstrap
    schema.pack(t, store[i].data());
    records.push_back(store[i].data());
    torch::NoGradGuard ng;
    const auto q = net->forward(torch::from_blob(obs.data(), {1, 4}).clone());
    const auto qn = net->forward(torch::from_blob(next.data(), {1, 4}).clone());
    expected.push_back(std::abs(t.reward + t.discount * qn.max().item<float>() - q[0][action].item<float>()) + 0.25f);
  }
  REQUIRE(policy->estimate_priorities(schema, records.data(), records.size(), 0.25f));
  for (int i = 0; i < 6; ++i) {
    INFO("record " << i);
    CHECK(schema.unpack(store[i].data()).initial_priority == Approx(expected[i]).epsilon(1e-5));
  }
}
