// Policies on uint8 observations act as the learner's networks do: the Nature-CNN policy loads the
// weights of the learner's Nature CNN (models::nature_cnn_factory, what DqnLearner trains and
// publishes) and its greedy actions are that network's argmax on the same frames; an MLP policy on
// uint8 observations scales them by 1/255 exactly as the learner's QNet model does. learner.network
// resolves as documented.
#include <torch/torch.h>
#undef CHECK  // c10's glog-style CHECK: Catch's is the one used here
#include <catch2/catch.hpp>

#include <cstring>

#include "actors/policy.h"
#include "common/algorithm.h"
#include "models/nature_cnn.h"
#include "models/q_model.h"
#include "models/weights_blob.h"

using namespace shmrl;
using namespace shmrl::actors;

namespace {

Space frames(std::vector<int64_t> shape) {
  std::size_t n = 1;
  for (int64_t d : shape) n *= static_cast<std::size_t>(d);
  return Space::box(std::move(shape), std::vector<float>(n, 0.0f), std::vector<float>(n, 255.0f), DType::U8);
}

// Greedy actions of `policy` on `obs` ([batch, ...] uint8) written into its buffer.
torch::Tensor act_on(Policy& policy, const torch::Tensor& obs) {
  std::memcpy(policy.observations(), obs.data_ptr(), static_cast<std::size_t>(obs.numel()));
  auto actions = torch::empty({static_cast<int64_t>(policy.batch())}, torch::kInt32);
  policy.act(reinterpret_cast<std::byte*>(actions.data_ptr()));
  return actions.to(torch::kInt64);
}

}  // namespace

TEST_CASE("the Nature-CNN policy runs the learner's network on uint8 frames", "[policy][pixels]") {
  const Space obs = frames({4, 84, 84});
  const Space act = Space::discrete(6);
  REQUIRE(resolve_network("auto", obs) == Network::NatureCnn);
  torch::manual_seed(5);
  const auto learner_net = models::nature_cnn_factory({4, 6, true})();
  PolicyOptions o;
  o.network = Network::NatureCnn;
  o.dueling = true;
  o.epsilon = {0.0};
  constexpr std::size_t B = 8;
  auto policy = make_policy(obs, act, o, B);
  policy->load_weights(models::save_weights_blob(*learner_net.module));
  const auto x = torch::randint(0, 256, {static_cast<int64_t>(B), 4, 84, 84}, torch::kUInt8);
  torch::Tensor want;
  {
    torch::NoGradGuard g;
    want = learner_net.forward(x).argmax(1);
  }
  CHECK(torch::equal(act_on(*policy, x), want));
  // A blob of another network shape is refused.
  const auto other = models::nature_cnn_factory({4, 6, false})();
  CHECK_THROWS(policy->load_weights(models::save_weights_blob(*other.module)));
}

TEST_CASE("an MLP policy on uint8 observations scales them as the learner does", "[policy][pixels]") {
  const Space obs = frames({2, 6, 6});
  const Space act = Space::discrete(3);
  REQUIRE(resolve_network("auto", obs) == Network::Mlp);
  torch::manual_seed(6);
  const auto qopts = models::qnet_options_for(obs, act, {16}, false);
  const auto learner_net = models::qnet_factory(qopts)();
  PolicyOptions o;
  o.hidden = {16};
  o.epsilon = {0.0};
  constexpr std::size_t B = 64;
  auto policy = make_policy(obs, act, o, B);
  policy->load_weights(models::save_weights_blob(*learner_net.module));
  const auto x = torch::randint(0, 256, {static_cast<int64_t>(B), 2, 6, 6}, torch::kUInt8);
  torch::Tensor want;
  {
    torch::NoGradGuard g;
    want = learner_net.forward(x).argmax(1);
  }
  CHECK(torch::equal(act_on(*policy, x), want));
  CHECK(policy->input()[0] == static_cast<float>(x.flatten()[0].item<uint8_t>()) / 255.0f);
}

TEST_CASE("learner.network resolves per observation space and refuses what cannot work", "[policy][pixels]") {
  CHECK(resolve_network("auto", frames({4, 84, 84})) == Network::NatureCnn);
  CHECK(resolve_network("mlp", frames({4, 84, 84})) == Network::Mlp);
  CHECK(resolve_network("auto", frames({4, 64, 64})) == Network::Mlp);
  CHECK(resolve_network("auto", Space::box({4}, std::vector<float>(4, -1.0f), std::vector<float>(4, 1.0f))) ==
        Network::Mlp);
  CHECK_THROWS_WITH(resolve_network("nature_cnn", frames({2, 6, 6})),
                    Catch::Contains("learner.network") && Catch::Contains("[C, 84, 84]"));
  CHECK_THROWS_WITH(resolve_network("resnet", frames({4, 84, 84})), Catch::Contains("auto|mlp|nature_cnn"));
  // SAC and TD3 take float observations only.
  PolicyOptions o;
  o.algorithm = Algorithm::Sac;
  o.hidden = {8};
  CHECK_THROWS_WITH(make_policy(frames({2, 6, 6}), Space::box({1}, {-1.0f}, {1.0f}), o, 1),
                    Catch::Contains("float32 Box"));
}
