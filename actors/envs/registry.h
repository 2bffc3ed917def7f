#pragma once
// Environments by Gymnasium id: make_env("CartPole-v1"), make_env("LunarLander-v3",
// {{"continuous", "true"}}). Built-ins: CartPole-v1, Acrobot-v1, MountainCar-v0, Pendulum-v1,
// LunarLander-v3, and with MuJoCo (SHMRL_HAVE_MUJOCO) HalfCheetah-v5, Hopper-v5, Walker2d-v5,
// Ant-v5, Humanoid-v5. Every env from make_env carries Gymnasium's TimeLimit (time_limit.h).
//
// Adding your own C++ environment, without touching the framework:
//   1. Subclass shmrl::envs::Env in your own .cpp (see env.h for the contract; take a
//      `const EnvKwargs&` constructor argument and validate it with KwargReader).
//   2. In that .cpp, at namespace scope:
//        static shmrl::envs::EnvRegistrar<MyEnv> reg("MyEnv-v0");
//      (or EnvRegistrar<>("MyEnv-v0", [](const EnvKwargs& kw) { return std::make_unique<MyEnv>(kw); }))
//   3. Link that .cpp into the executable as an object file (add it to the shmrl target's sources,
//      or link its library with $<LINK_LIBRARY:WHOLE_ARCHIVE,...>): a registrar inside a static
//      library that nothing references is dropped by the linker and never runs.
//   Then `[env] id = "MyEnv-v0"` in a config, or make_env("MyEnv-v0"), finds it.
//   actors/envs/README.md has a complete example.
//
// Threading: all functions are thread-safe (one mutex). make_env costs one allocation per env;
// stepping the result allocates nothing for the built-ins.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/envs/env.h"
#include "actors/envs/kwargs.h"
#include "actors/envs/time_limit.h"

namespace shmrl::envs {

// Builds an env without a time limit (make_env adds it from max_episode_steps()).
using EnvFactory = std::function<std::unique_ptr<Env>(const EnvKwargs&)>;

// Registers id. Throws std::invalid_argument if id is empty or already registered.
void register_env(const std::string& id, EnvFactory factory);

// Same for an Env subclass E constructible from `const EnvKwargs&`: make_env builds
// TimeLimited<E>, whose step makes a single virtual call.
template <class E>
void register_env_type(const std::string& id);

// A new env for id, kwargs passed to its constructor (which validates them). Throws
// std::invalid_argument for an unknown id, listing the registered ones. A "gym:<id>" gives an env
// with that Gymnasium env's spaces that cannot step (gym_spaces.h): gym: envs step through the
// Python bridge of actor processes (vector_env.h).
std::unique_ptr<Env> make_env(const std::string& id, const EnvKwargs& kwargs = {});

// Sorted ids of all registered envs (built-ins included).
std::vector<std::string> registered_env_ids();

// Static registration helper: `static EnvRegistrar<MyEnv> reg("MyEnv-v0");` or
// `static EnvRegistrar<> reg("MyEnv-v0", factory);`. Runs before main.
template <class E = void>
struct EnvRegistrar {
  explicit EnvRegistrar(const std::string& id) { register_env_type<E>(id); }
};
template <>
struct EnvRegistrar<void> {
  EnvRegistrar(const std::string& id, EnvFactory factory) { register_env(id, std::move(factory)); }
};

namespace detail {
// A factory whose result already applies its time limit.
void register_time_limited(const std::string& id, EnvFactory factory);
}  // namespace detail

template <class E>
void register_env_type(const std::string& id) {
  detail::register_time_limited(id, [](const EnvKwargs& kw) -> std::unique_ptr<Env> {
    return std::make_unique<TimeLimited<E>>(kw);
  });
}

}  // namespace shmrl::envs
