#pragma once
// The spaces of a `gym:<id>` env (a Gymnasium env stepped through the Python bridge in actor
// processes, actors/envs/gym/), without an interpreter in this process: the launcher resolves them
// once with a short-lived probe process (the venv's python running actors/envs/gym/shmrl_gym.py)
// before it starts any child, and passes them on in the environment variable SHMRL_GYM_SPACES, which
// forked and exec'ed children inherit; the replay service and learners read them from there, so
// they never import Python. make_env("gym:<id>") (registry.h) returns an env that has these spaces
// but cannot step (GymSpacesEnv).
//
// Mapping to the transition schema: a uint8 Box observation stays uint8 end to end (pixels: actor
// buffers, rings, replay and batches carry bytes; networks scale them by 1/255); a Box observation of
// any other dtype becomes a float32 Box of that shape (the bridge casts once when it copies); a Discrete(n, start) action becomes
// Discrete(n) (the bridge adds start back); a Box action must be floating point (float32 in
// records). Any other space (Dict, Tuple, Text, MultiDiscrete, ...) is refused, naming it.
//
// Threading: thread-safe (one mutex around the cache).
#include <memory>
#include <string>
#include <string_view>

#include "actors/envs/env.h"
#include "actors/envs/kwargs.h"
#include "common/spaces.h"

namespace shmrl::envs {

inline constexpr std::string_view kGymPrefix = "gym:";
inline constexpr const char* kGymSpacesVariable = "SHMRL_GYM_SPACES";

// id starts with "gym:".
bool is_gym_id(std::string_view id);

struct GymSpaces {
  Space obs, action;          // as the transition schema holds them (above)
  DType gym_obs_dtype = DType::F32;  // the env's own observation dtype
  int max_episode_steps = 0;  // the registered TimeLimit (0 = none); gymnasium applies it itself
};

// The spaces of gym:<id> with `kwargs`, `python_modules` (comma-separated) imported first: from
// this process's cache, else from SHMRL_GYM_SPACES when it was resolved for the same id and kwargs,
// else by the probe (cost: one python start, about a second; deadline 120 s). A probed result is
// cached and exported in SHMRL_GYM_SPACES. Throws std::invalid_argument with the probe's message
// (an unknown id, a module or package missing, with the pip command; an unsupported space, named),
// or when the build has no venv python.
GymSpaces resolve_gym_spaces(const std::string& id, const EnvKwargs& kwargs,
                             const std::string& python_modules = "");

// The venv python and the folder holding shmrl_gym.py (fixed at configure time, cmake/gym.cmake).
std::string gym_python();
std::string gym_module_dir();

// An env with the spaces of resolve_gym_spaces(id, kwargs) whose reset/step throw std::logic_error
// (gym: envs step only through the bridge, in actor processes). What make_env returns for gym: ids.
std::unique_ptr<Env> make_gym_spaces_env(const std::string& id, const EnvKwargs& kwargs);

// kwargs as a JSON object of strings (what shmrl_gym.py parses).
std::string kwargs_json(const EnvKwargs& kwargs);

}  // namespace shmrl::envs
