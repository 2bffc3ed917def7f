#include "models/actor_critic.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace shmrl::models {

ActorNetOptions actor_net_options_for(const Space& obs_space, const Space& action_space,
                                      const std::vector<int64_t>& hidden) {
  if (obs_space.kind != Space::Kind::Box || obs_space.dtype != DType::F32)
    throw std::invalid_argument("the actor-critic networks need a float32 Box observation space, the env has " +
                                obs_space.describe());
  if (action_space.kind != Space::Kind::Box)
    throw std::invalid_argument("the actor-critic networks need a Box action space, the env has " +
                                action_space.describe());
  ActorNetOptions o{static_cast<int64_t>(obs_space.numel()), action_space.low, action_space.high, hidden};
  o.validate();
  return o;
}

std::string actor_critic_arch(Algorithm algorithm, const ActorNetOptions& o) {
  std::ostringstream os;
  os << algorithm_name(algorithm) << " obs_dim=" << o.obs_dim << " actions=" << o.low.size() << " hidden=";
  for (std::size_t i = 0; i < o.hidden.size(); ++i) os << (i ? "," : "") << o.hidden[i];
  return os.str();
}

std::optional<ActorCriticArch> parse_actor_critic_arch(const std::string& arch) {
  std::istringstream is(arch);
  std::string kind, obs, actions, hidden;
  if (!(is >> kind >> obs >> actions >> hidden) || (kind != "sac" && kind != "td3")) return std::nullopt;
  if (!obs.starts_with("obs_dim=") || !actions.starts_with("actions=") || !hidden.starts_with("hidden="))
    return std::nullopt;
  ActorCriticArch a{kind == "sac" ? Algorithm::Sac : Algorithm::Td3, 0, 0, {}};
  ActorNetOptions canonical;
  try {
    a.obs_dim = std::stoll(obs.substr(8));
    a.action_dim = std::stoll(actions.substr(8));
    std::istringstream hs(hidden.substr(7));
    for (std::string h; std::getline(hs, h, ',');) a.hidden.push_back(std::stoll(h));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (a.obs_dim <= 0 || a.action_dim <= 0 || a.action_dim > 4096) return std::nullopt;
  canonical.obs_dim = a.obs_dim;
  canonical.low.assign(a.action_dim, -1.0f);
  canonical.hidden = a.hidden;
  if (actor_critic_arch(a.algorithm, canonical) != arch) return std::nullopt;  // canonical form only
  return a;
}

SacNetsImpl::SacNetsImpl(const ActorNetOptions& opts, double init_alpha) {
  if (!(init_alpha > 0 && std::isfinite(init_alpha)))
    throw std::invalid_argument("SAC: initial alpha = " + std::to_string(init_alpha) + ", must be > 0");
  actor = register_module("actor", GaussianActorNet(opts));
  critic = register_module("critic", TwinCritic(opts.obs_dim, static_cast<int64_t>(opts.low.size()), opts.hidden));
  log_alpha = register_parameter("log_alpha", torch::full({1}, std::log(init_alpha)));
}

Td3NetsImpl::Td3NetsImpl(const ActorNetOptions& opts) {
  actor = register_module("actor", DeterministicActorNet(opts));
  critic = register_module("critic", TwinCritic(opts.obs_dim, static_cast<int64_t>(opts.low.size()), opts.hidden));
}

}  // namespace shmrl::models
