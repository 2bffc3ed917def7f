#include "actors/vector_envs.h"

#include <stdexcept>

#include "actors/envs/gym_spaces.h"
#ifdef SHMRL_HAVE_GYM_BRIDGE
#include "actors/envs/gym/gym_bridge.h"
#endif

namespace shmrl::actors {

bool have_gym_bridge() {
#ifdef SHMRL_HAVE_GYM_BRIDGE
  return true;
#else
  return false;
#endif
}

std::unique_ptr<envs::VectorEnv> make_vector_env(const std::string& id, const envs::EnvKwargs& kwargs,
                                                 const std::string& python_modules, std::size_t num_envs,
                                                 bool evaluation) {
  if (!envs::is_gym_id(id)) return envs::make_local_vector_env(id, kwargs, num_envs);
#ifdef SHMRL_HAVE_GYM_BRIDGE
  return envs::make_gym_vector_env(id, kwargs, python_modules, num_envs, evaluation);
#else
  (void)evaluation;
  throw std::invalid_argument(id + ": this build has no Python bridge for gym: envs (it needs "
                              "pybind11-dev and the venv's gymnasium: run launch/setup, then rebuild)");
#endif
}

}  // namespace shmrl::actors
