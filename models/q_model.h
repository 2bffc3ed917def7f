#pragma once
// The Q-networks a DQN learner trains, behind one small type-erased handle, so the same learner
// trains the QNet (MLP, qnet.h: what actors run) and the Nature CNN (nature_cnn.h).
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "common/spaces.h"
#include "models/qnet.h"

namespace shmrl::models {

struct QModel {
  std::shared_ptr<torch::nn::Module> module;
  // Observations as stored in a batch column ([B, ...] of the obs dtype) -> Q values [B, A] float.
  std::function<torch::Tensor(const torch::Tensor&)> forward;
  // Canonical description: equal strings <=> same parameter shapes (checkpoints compare it).
  std::string arch;
};
// Builds a fresh network (random init from the current torch seed). Called twice by the learner:
// online and target network.
using QModelFactory = std::function<QModel()>;

// The actors' QNet; observations are flattened to [B, obs_dim] and cast to float32 (uint8 ones
// scaled by 1/255, as the actors' policy does).
// arch: "qnet obs_dim=4 actions=2 hidden=128,128 dueling=1".
QModelFactory qnet_factory(const QNetOptions& opts);
std::string qnet_arch(const QNetOptions& opts);
// Inverse of qnet_arch; std::nullopt for any other string (e.g. a CNN's).
std::optional<QNetOptions> parse_qnet_arch(const std::string& arch);

// QNetOptions for an env's spaces. Throws std::invalid_argument unless the action space is
// Discrete (DQN) and the observation space a Box.
QNetOptions qnet_options_for(const Space& obs_space, const Space& action_space,
                             const std::vector<int64_t>& hidden, bool dueling);

}  // namespace shmrl::models
