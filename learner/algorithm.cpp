#include "learner/algorithm.h"

#include "learner/dqn.h"
#include "learner/options.h"
#include "learner/sac.h"
#include "learner/td3.h"

namespace shmrl::learner {

std::unique_ptr<Learner> make_algorithm(const LearnerOptions& o, const Space& obs_space,
                                          const Space& action_space, torch::Device device,
                                          ProcessGroup* group) {
  const Algorithm a = resolve_algorithm(o.algorithm, action_space);
  if (a == Algorithm::Dqn) {
    DqnOptions d;
    d.lr = o.lr;
    d.adam_eps = o.adam_eps;
    d.grad_clip_norm = o.grad_clip_norm;
    d.target_update_period = o.target_update_period;
    d.tau = o.tau;
    d.double_dqn = o.double_dqn;
    d.huber_kappa = o.huber_kappa;
    auto qopts = models::qnet_options_for(obs_space, action_space, o.hidden, o.dueling);
    return std::make_unique<DqnLearner>(models::qnet_factory(qopts), d, device, group);
  }
  ActorCriticOptions ac;
  ac.critic_lr = o.lr;
  ac.actor_lr = o.actor_lr;
  ac.alpha_lr = o.alpha_lr;
  ac.adam_eps = o.adam_eps;
  ac.grad_clip_norm = o.grad_clip_norm;
  ac.tau = o.critic_tau;
  ac.init_alpha = o.sac_alpha;
  ac.auto_alpha = o.sac_auto_alpha;
  ac.policy_delay = o.td3_policy_delay;
  ac.target_noise = o.td3_target_noise;
  ac.noise_clip = o.td3_noise_clip;
  const auto net = models::actor_net_options_for(obs_space, action_space, o.hidden);
  if (a == Algorithm::Sac) return std::make_unique<SacLearner>(net, ac, device, group);
  return std::make_unique<Td3Learner>(net, ac, device, group);
}

}  // namespace shmrl::learner
