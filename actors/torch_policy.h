#pragma once
// Pieces both LibTorch policies share (internal to actors/*.cpp; includes nothing from torch).
#include "actors/policy.h"

namespace shmrl::actors::detail {

// Throws std::invalid_argument unless obs_space is a float32 Box (what the MLPs take).
void check_obs_space(const Space& obs_space);
// Validates opts, sets the process's intra-op threads and seeds torch's CPU generator (only: no
// CUDA initialisation) so the initial weights depend on opts.seed only.
void init_torch(const PolicyOptions& opts);

}  // namespace shmrl::actors::detail
