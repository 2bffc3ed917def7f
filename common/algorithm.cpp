#include "common/algorithm.h"

#include <cmath>
#include <stdexcept>

namespace shmrl {

const char* algorithm_name(Algorithm a) {
  switch (a) {
    case Algorithm::Dqn: return "dqn";
    case Algorithm::Sac: return "sac";
    case Algorithm::Td3: return "td3";
  }
  return "?";
}

Algorithm resolve_algorithm(const std::string& name, const Space& action_space) {
  const bool discrete = action_space.kind == Space::Kind::Discrete;
  const std::string key = "learner.algorithm = \"" + name + "\": ";
  if (name == "auto") return discrete ? Algorithm::Dqn : Algorithm::Sac;
  if (name == "dqn") {
    if (!discrete)
      throw std::invalid_argument(key + "DQN needs a Discrete action space, the env has " +
                                  action_space.describe() + "; use \"sac\", \"td3\" or \"auto\"");
    return Algorithm::Dqn;
  }
  if (name != "sac" && name != "td3")
    throw std::invalid_argument(key + "must be one of auto|dqn|sac|td3");
  if (discrete)
    throw std::invalid_argument(key + "SAC and TD3 need a Box action space, the env has " +
                                action_space.describe() + "; use \"dqn\" or \"auto\"");
  bool bounded = action_space.dtype == DType::F32 && !action_space.low.empty();
  for (std::size_t i = 0; bounded && i < action_space.low.size(); ++i)
    bounded = std::isfinite(action_space.low[i]) && std::isfinite(action_space.high[i]) &&
              action_space.low[i] < action_space.high[i];
  if (!bounded)
    throw std::invalid_argument(key + "needs a float32 Box action space with finite bounds, the env has " +
                                action_space.describe());
  return name == "sac" ? Algorithm::Sac : Algorithm::Td3;
}

Network resolve_network(const std::string& name, const Space& obs_space) {
  const bool frames = obs_space.kind == Space::Kind::Box && obs_space.dtype == DType::U8 &&
                      obs_space.shape.size() == 3 && obs_space.shape[1] == 84 && obs_space.shape[2] == 84;
  if (name == "mlp") return Network::Mlp;
  if (name == "auto") return frames ? Network::NatureCnn : Network::Mlp;
  const std::string key = "learner.network = \"" + name + "\": ";
  if (name != "nature_cnn") throw std::invalid_argument(key + "must be one of auto|mlp|nature_cnn");
  if (!frames)
    throw std::invalid_argument(key + "the Nature CNN takes uint8 [C, 84, 84] frame stacks, the env has " +
                                obs_space.describe() + "; use \"mlp\" or \"auto\"");
  return Network::NatureCnn;
}

}  // namespace shmrl
