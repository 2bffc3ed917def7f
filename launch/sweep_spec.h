#pragma once
// A sweep spec (TOML): a base config, fixed overrides, axes whose cartesian product gives the
// points, how long each point runs, and repeats. `shmrl sweep` runs every point as a real
// `shmrl train` (launch/sweep.h).
//
//   base = "../cartpole.toml"        # relative to the spec file; absent = the schema defaults
//   repeats = 1                      # runs per point
//   time_limit_s = 20                # per run (run.time_limit_s); required
//   target_return = 475              # optional: each run stops when solved, time to target recorded
//   max_env_steps = 0                # optional cap per run
//   [set]                            # overrides for every point
//   eval.period_s = 5.0
//   [axes]                           # each key: a list of values
//   run.actors = [1, 2]
//   actor.envs_per_actor = [16, 64]
//
// Plain C++ (toml++); launcher main thread.
#include <string>
#include <utility>
#include <vector>

namespace shmrl::launch {

// (config key, TOML literal): what `--set key=literal` gets.
using Assignment = std::pair<std::string, std::string>;

struct SweepAxis {
  std::string key;
  std::vector<std::string> values;  // TOML literals
};

struct SweepSpec {
  std::string path;         // the spec file
  std::string name;         // the file name without .toml
  std::string base_config;  // absolute path, or "" for the defaults
  std::vector<Assignment> set;
  std::vector<SweepAxis> axes;
  int repeats = 1;
  double time_limit_s = 0;
  double target_return = 0;  // used when has_target
  bool has_target = false;
  double max_env_steps = 0;
};

struct SweepPoint {
  int index = 0;   // point number, 0-based, in expansion order (axes in key order, the last varies fastest)
  int repeat = 0;  // 0-based
  std::vector<Assignment> values;  // one per axis, in axis order
};

// Reads and checks `path`: unknown top-level keys, wrong types, an empty axis, repeats < 1, a
// missing or non-positive time_limit_s; and every [set] and [axes] assignment applied to the base
// config (an unknown key or out-of-range value is refused with the key, the value and what is
// allowed, before any run starts). Throws ConfigError.
SweepSpec load_sweep_spec(const std::string& path);

// Every point x repeat, in run order (repeats of a point back to back).
std::vector<SweepPoint> expand_points(const SweepSpec& spec);

}  // namespace shmrl::launch
