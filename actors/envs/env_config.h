#pragma once
// The [env] section of a config, read in one place for every process (actor, replay, learner,
// launcher), so they all build the same environment:
//   [env]
//   id = "LunarLander-v3"
//   kwargs = { continuous = true, gravity = -9.0 }   # constructor keyword arguments
// Kwarg values may be strings, numbers, booleans or arrays of numbers; they become the text
// make_env's KwargReader parses ("true", "-9", "0.5", "[0.7, inf]"). Whether a kwarg is known is make_env's check, not this reader's.
// Plain C++ (toml++). Thread-safe (no state).
#include <toml++/toml.h>

#include <string>

#include "actors/envs/kwargs.h"
#include "common/toml_reader.h"

namespace shmrl::envs {

// The entries of `table` (the value of config key `key`) as EnvKwargs. Throws
// std::invalid_argument "<key>.<name> = <value>: must be a string, number or boolean".
EnvKwargs kwargs_from_toml(const toml::table& table, const std::string& key);

// One kwarg value as text: strings as they are, booleans as true/false, numbers in their shortest
// round-tripping form, arrays of numbers as "[a, b]". Throws std::invalid_argument (naming `key`)
// for other arrays, tables and dates.
std::string kwarg_text(const toml::node& value, const std::string& key);

// env.id into `id` and env.kwargs (a table) into `kwargs`; absent keys leave them as they are.
void read_env_config(const TomlReader& reader, std::string& id, EnvKwargs& kwargs);

}  // namespace shmrl::envs
