#include "models/q_model.h"

#include <sstream>
#include <stdexcept>

namespace shmrl::models {

std::string qnet_arch(const QNetOptions& o) {
  std::ostringstream os;
  os << "qnet obs_dim=" << o.obs_dim << " actions=" << o.num_actions << " hidden=";
  for (std::size_t i = 0; i < o.hidden.size(); ++i) os << (i ? "," : "") << o.hidden[i];
  os << " dueling=" << (o.dueling ? 1 : 0);
  return os.str();
}

std::optional<QNetOptions> parse_qnet_arch(const std::string& arch) {
  std::istringstream is(arch);
  std::string kind, obs, actions, hidden, dueling;
  if (!(is >> kind >> obs >> actions >> hidden >> dueling) || kind != "qnet") return std::nullopt;
  auto value = [](const std::string& field, const std::string& key) -> std::optional<std::string> {
    if (!field.starts_with(key + "=")) return std::nullopt;
    return field.substr(key.size() + 1);
  };
  auto o_obs = value(obs, "obs_dim"), o_act = value(actions, "actions"),
       o_hid = value(hidden, "hidden"), o_duel = value(dueling, "dueling");
  if (!o_obs || !o_act || !o_hid || !o_duel) return std::nullopt;
  QNetOptions o;
  try {
    o.obs_dim = std::stoll(*o_obs);
    o.num_actions = std::stoll(*o_act);
    std::istringstream hs(*o_hid);
    for (std::string h; std::getline(hs, h, ',');) o.hidden.push_back(std::stoll(h));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  o.dueling = *o_duel == "1";
  if (qnet_arch(o) != arch) return std::nullopt;  // canonical form only
  return o;
}

QModelFactory qnet_factory(const QNetOptions& opts) {
  opts.validate();
  return [opts] {
    QNet net(opts);
    QModel m;
    m.module = net.ptr();
    m.forward = [net](const torch::Tensor& obs) mutable {
      auto x = obs.reshape({obs.size(0), -1}).to(torch::kFloat32);
      // uint8 observations (pixels) as the actors' policy sees them.
      return net->forward(obs.scalar_type() == torch::kUInt8 ? x.div_(255.0f) : x);
    };
    m.arch = qnet_arch(opts);
    return m;
  };
}

QNetOptions qnet_options_for(const Space& obs_space, const Space& action_space,
                             const std::vector<int64_t>& hidden, bool dueling) {
  if (action_space.kind != Space::Kind::Discrete)
    throw std::invalid_argument("DQN needs a Discrete action space, the env has " +
                                action_space.describe());
  if (obs_space.kind != Space::Kind::Box)
    throw std::invalid_argument("the Q-network needs a Box observation space, the env has " +
                                obs_space.describe());
  QNetOptions o;
  o.obs_dim = static_cast<int64_t>(obs_space.numel());
  o.num_actions = action_space.n;
  o.hidden = hidden;
  o.dueling = dueling;
  o.validate();
  return o;
}

}  // namespace shmrl::models
