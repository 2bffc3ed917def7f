#pragma once
// `shmrl train` command line: --config FILE, repeated --set section.key=value, the common flags
// (each a shorthand for one config key), --resume RUN_DIR and --run-id. Turned into a Config with
// precedence file < --set < flags.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "launch/config.h"

namespace shmrl::launch {

struct TrainArgs {
  std::string config_path;                                 // "" = the default config (default_config_path())
  std::vector<std::string> sets;                           // "section.key=value", in order
  std::vector<std::pair<std::string, std::string>> flags;  // (key, value) from the common flags
  std::string resume;                                      // run directory to continue ("" = a new run)
  std::string run_id;                                      // "" = a fresh one (or the resumed run's)
};

// The common flags: (flag, config key). --help and the parser are generated from this table.
const std::vector<std::pair<std::string, std::string>>& common_flags();

// Registers the train options on `cmd`, filling `args` when parsed, and a help footer listing every
// config key with its default, allowed values and doc (generated from the schema).
void add_train_options(CLI::App& cmd, TrainArgs& args);

// configs/cartpole.toml relative to the working directory if present, else the source tree's copy
// (compiled in), else "" (schema defaults; they are equal, see tests/launch/config_test.cpp).
std::string default_config_path();

// Loads the base config (--config, the resumed run's config.toml, or the default), then applies
// --set and the flags. Throws ConfigError naming the flag or key.
Config build_config(const TrainArgs& args);

// The help text of every config key: "  section.key = default    doc; allowed".
std::string config_keys_help();

}  // namespace shmrl::launch
