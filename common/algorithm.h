#pragma once
// Which learning algorithm a run uses (learner.algorithm), resolved against the env's action space
// by every process the same way: "auto" is DQN for a Discrete action space and SAC for a Box one.
// Plain C++.
#include <string>

#include "common/spaces.h"

namespace shmrl {

enum class Algorithm { Dqn, Sac, Td3 };

// "dqn", "sac", "td3".
const char* algorithm_name(Algorithm a);

// Resolves learner.algorithm ("auto" | "dqn" | "sac" | "td3") for `action_space`. Throws
// std::invalid_argument naming the key, its value and what is allowed: an unknown name, DQN on a
// Box action space, SAC or TD3 on a Discrete one (or on a Box that is not a bounded float32 Box).
// O(action dimensions).
Algorithm resolve_algorithm(const std::string& name, const Space& action_space);

// The Q-network DQN runs (learner.network): the MLP (learner.hidden) or the Nature CNN (pixels).
enum class Network { Mlp, NatureCnn };

// Resolves learner.network ("auto" | "mlp" | "nature_cnn") for `obs_space`: auto is the Nature CNN
// for uint8 observations shaped [C, 84, 84] (stacked Atari frames), the MLP otherwise. Throws
// std::invalid_argument naming the key, its value and what is allowed (an unknown name; nature_cnn
// on observations that are not uint8 [C, 84, 84]). O(1).
Network resolve_network(const std::string& name, const Space& obs_space);

}  // namespace shmrl
