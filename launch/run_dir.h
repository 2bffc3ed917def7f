#pragma once
// runs/<run-id>/: config.toml (the resolved config every child reads), logs/<process>.log,
// checkpoints/, metrics.csv, TensorBoard event files, summary.json.
#include <string>

#include "launch/config.h"

namespace shmrl::launch {

struct RunDir {
  std::string run_id;
  std::string dir;          // absolute
  std::string logs;         // dir/logs
  std::string checkpoints;  // dir/checkpoints
  std::string config;       // dir/config.toml
};

// A new run directory under config's run.run_dir named `run_id` ("" = shm::new_run_id()), or, with
// `resume`, that existing directory (its name is the run id). Writes the resolved config.toml
// (temporary file + rename). Throws ConfigError for a bad or taken run id, a missing resume
// directory or one whose run is still live; std::runtime_error for file-system failures.
RunDir prepare_run_dir(const Config& config, const std::string& run_id, const std::string& resume);

// Whether `id` is a valid run id: non-empty, [A-Za-z0-9-] only.
bool valid_run_id(const std::string& id);

}  // namespace shmrl::launch
