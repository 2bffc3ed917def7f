#pragma once
// The whole-configuration check before any process starts: on top of the schema (types, ranges,
// cross-key rules in Config::validate), every child's own options parser runs on the resolved
// config (the very code each process runs at start: replay limiter deadlock rules, actor and
// learner options), the env id must be registered, learner.algorithm must handle the env's action
// space (DQN a Discrete one, SAC and TD3 a bounded Box), the replay storage must fit /dev/shm,
// run.device = "cuda" needs a CUDA device, and learners on CUDA one GPU each. Costs one env
// construction and a temporary file.
#include "launch/config.h"

namespace shmrl::launch {

// Throws ConfigError carrying the component's message (it names key, value and what is allowed).
void validate_components(const Config& config);

}  // namespace shmrl::launch
