#pragma once
// Pieces the LibTorch policies share (internal to actors/*.cpp; includes nothing from torch).
#include "actors/policy.h"

namespace shmrl::actors::detail {

// Throws std::invalid_argument unless obs_space is a float32 Box (or, pixels_ok, a uint8 one).
void check_obs_space(const Space& obs_space, bool pixels_ok);
// Throws std::invalid_argument (prefixed by `what`) unless the observations fit check_obs_space, the
// actions are a float32 Box with finite bounds and batch >= 1.
void check_box_policy(const Space& obs_space, const Space& action_space, std::size_t batch,
                      const char* what);
// Validates opts, sets the process's intra-op threads and seeds torch's CPU generator (only: no
// CUDA initialisation) so the initial weights depend on opts.seed only.
void init_torch(const PolicyOptions& opts);

}  // namespace shmrl::actors::detail
