#pragma once
// The actor's environments by id: built-in ids step in C++, gym: ids through the Python bridge
// (actors/envs/gym/) when this build has it. Plain C++ (no LibTorch, no Python in this header).
#include <cstddef>
#include <memory>
#include <string>

#include "actors/envs/vector_env.h"

namespace shmrl::actors {

// num_envs envs of id. Throws std::invalid_argument for an unknown id or bad kwargs, and for a
// gym: id in a build without the bridge (saying what is missing); std::runtime_error when Python
// fails to build a gym: env. `evaluation`: the envs greedy evaluation steps (gym_bridge.h; built-in
// ids are the same either way).
std::unique_ptr<envs::VectorEnv> make_vector_env(const std::string& id, const envs::EnvKwargs& kwargs,
                                                 const std::string& python_modules, std::size_t num_envs,
                                                 bool evaluation = false);

// Whether this build steps gym: envs.
bool have_gym_bridge();

}  // namespace shmrl::actors
