#include "learner/algorithm.h"

#include <c10/core/Event.h>

#include "learner/dqn.h"
#include "models/nature_cnn.h"
#include "learner/options.h"
#include "learner/sac.h"
#include "learner/td3.h"

namespace shmrl::learner {

const torch::Tensor& StepResult::host() const {
  if (copied_) copied_->synchronize();
  return host_;
}

bool StepResult::ready() const { return !copied_ || copied_->query(); }
double StepResult::loss() const { return host()[0].item<double>(); }
double StepResult::grad_norm() const { return host()[1].item<double>(); }
torch::Tensor StepResult::td_abs() const { return host().narrow(0, 2, host_.numel() - 2); }

StepResult host_step_result(bool applied, double loss, double grad_norm, const torch::Tensor& td_abs) {
  auto head = torch::tensor({static_cast<float>(loss), static_cast<float>(grad_norm)});
  return StepResult(applied, torch::cat({head, td_abs.to(torch::kCPU, torch::kFloat32).reshape({-1})}));
}

namespace {
models::NatureCnnOptions nature_cnn_options(const Space& obs_space, const Space& action_space, bool dueling) {
  if (action_space.kind != Space::Kind::Discrete)
    throw std::invalid_argument("DQN needs a Discrete action space, the env has " + action_space.describe());
  return {obs_space.shape[0], action_space.n, dueling};
}

// DQN's Q-network for the env's spaces (learner.network).
models::QModelFactory q_model_factory(const LearnerOptions& o, const Space& obs_space, const Space& action_space) {
  if (resolve_network(o.network, obs_space) == Network::NatureCnn)
    return models::nature_cnn_factory(nature_cnn_options(obs_space, action_space, o.dueling));
  return models::qnet_factory(models::qnet_options_for(obs_space, action_space, o.hidden, o.dueling));
}
}  // namespace

std::string algorithm_arch(const LearnerOptions& o, const Space& obs_space, const Space& action_space) {
  const Algorithm a = resolve_algorithm(o.algorithm, action_space);
  if (a == Algorithm::Dqn) {
    if (resolve_network(o.network, obs_space) == Network::NatureCnn)
      return models::nature_cnn_arch(nature_cnn_options(obs_space, action_space, o.dueling));
    return models::qnet_arch(models::qnet_options_for(obs_space, action_space, o.hidden, o.dueling));
  }
  return models::actor_critic_arch(a, models::actor_net_options_for(obs_space, action_space, o.hidden));
}

std::unique_ptr<Learner> make_algorithm(const LearnerOptions& o, const Space& obs_space,
                                        const Space& action_space, torch::Device device,
                                        ProcessGroup* group) {
  const Algorithm a = resolve_algorithm(o.algorithm, action_space);
  if (a == Algorithm::Dqn)
    return std::make_unique<DqnLearner>(q_model_factory(o, obs_space, action_space), o.dqn_options(), device, group);
  const auto net = models::actor_net_options_for(obs_space, action_space, o.hidden);
  if (a == Algorithm::Sac) return std::make_unique<SacLearner>(net, o.actor_critic_options(), device, group);
  return std::make_unique<Td3Learner>(net, o.actor_critic_options(), device, group);
}

}  // namespace shmrl::learner
