#include "actors/exploration.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace shmrl::actors {

double apex_epsilon(int actor, int num_actors, double base, double alpha) {
  if (num_actors < 1 || actor < 0 || actor >= num_actors)
    throw std::invalid_argument("apex_epsilon: actor " + std::to_string(actor) + " of " +
                                std::to_string(num_actors) + ", need 0 <= actor < num_actors");
  if (!(base >= 0 && base <= 1))
    throw std::invalid_argument("apex_epsilon: base = " + std::to_string(base) + ", need [0, 1]");
  if (!(alpha >= 0))
    throw std::invalid_argument("apex_epsilon: alpha = " + std::to_string(alpha) + ", need >= 0");
  if (num_actors == 1) return base;
  return std::pow(base, 1.0 + alpha * actor / (num_actors - 1));
}

std::vector<double> actor_epsilons(int actor, int num_actors, int envs_per_actor, double base, double alpha,
                                   bool per_env) {
  if (envs_per_actor < 1)
    throw std::invalid_argument("actor_epsilons: envs_per_actor = " + std::to_string(envs_per_actor) +
                                ", need >= 1");
  std::vector<double> out(static_cast<std::size_t>(envs_per_actor), apex_epsilon(actor, num_actors, base, alpha));
  if (per_env) {
    for (int e = 0; e < envs_per_actor; ++e)
      out[e] = apex_epsilon(actor * envs_per_actor + e, num_actors * envs_per_actor, base, alpha);
  }
  return out;
}

double noise_scale(int actor, int num_actors, double min_scale) {
  if (num_actors < 1 || actor < 0 || actor >= num_actors)
    throw std::invalid_argument("noise_scale: actor " + std::to_string(actor) + " of " +
                                std::to_string(num_actors) + ", need 0 <= actor < num_actors");
  if (!(min_scale > 0 && min_scale <= 1))
    throw std::invalid_argument("actor.noise_scale_min = " + std::to_string(min_scale) + ", need (0, 1]");
  if (num_actors == 1) return 1.0;
  return std::pow(min_scale, static_cast<double>(actor) / (num_actors - 1));
}

}  // namespace shmrl::actors
