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

// A greedy policy (opts, obs_space, a batch of B) loaded with the learner's network: random uint8
// observations x [B, obs shape] written into its buffer give that network's argmax. Returns x.
torch::Tensor check_acts_as_learner(const models::QModel& learner_net, const Space& obs, const Space& act,
                                    PolicyOptions opts, std::size_t batch, std::unique_ptr<Policy>& policy) {
  opts.epsilon = {0.0};
  policy = make_policy(obs, act, opts, batch);
  policy->load_weights(models::save_weights_blob(*learner_net.module));
  std::vector<int64_t> shape{static_cast<int64_t>(batch)};
  shape.insert(shape.end(), obs.shape.begin(), obs.shape.end());
  const auto x = torch::randint(0, 256, shape, torch::kUInt8);
  std::memcpy(policy->observations(), x.data_ptr(), static_cast<std::size_t>(x.numel()));
  auto actions = torch::empty({static_cast<int64_t>(batch)}, torch::kInt32);
  policy->act(reinterpret_cast<std::byte*>(actions.data_ptr()));
  torch::NoGradGuard g;
  CHECK(torch::equal(actions.to(torch::kInt64), learner_net.forward(x).argmax(1)));
  return x;
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
  std::unique_ptr<Policy> policy;
  check_acts_as_learner(learner_net, obs, act, o, 8, policy);
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
  std::unique_ptr<Policy> policy;
  const auto x = check_acts_as_learner(learner_net, obs, act, o, 64, policy);
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
