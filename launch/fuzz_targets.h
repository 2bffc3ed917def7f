#pragma once
// Every fuzz target (common/fuzz.h) of `shmrl stress --fuzz`: the TOML config loader, the replay
// checkpoint reader and the ring record decoder (replay/fuzz_targets.h), the learner checkpoint
// reader (as stored, and with its trailer re-sealed over the mutated archive so that LibTorch's
// archive reader sees the mutations), and the weight-blob reader. Each target is built on demand
// (some write seed files and hold scratch segments until they go). Launcher or test thread.
#include <string>
#include <vector>

#include "common/fuzz.h"

namespace shmrl::launch {

const std::vector<std::string>& fuzz_target_names();
// The target `name` (std::invalid_argument naming the known ones otherwise).
fuzz::Target make_fuzz_target(const std::string& name);

}  // namespace shmrl::launch
