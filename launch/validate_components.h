#pragma once
// The whole-configuration check before any process starts: on top of the schema (types, ranges,
// checked as Config sets each value), every child's own options parser runs on the resolved config
// (the very code each process runs at start, holding the cross-key rules: replay limiter deadlock
// rule and sizes, actor ring sizes, learner target updates and rendezvous), the env id must be
// registered, learner.algorithm must handle the env's action space (DQN a Discrete one, SAC and
// TD3 a bounded Box), the replay storage must fit /dev/shm, run.device = "cuda" needs a CUDA
// device, and learners on CUDA one GPU each. Costs one env construction and a temporary file.
#include "common/schema.h"
#include "launch/config.h"

namespace shmrl::launch {

// Throws ConfigError carrying every component's message, one a line (each names key, value and what
// is allowed). Returns the transition schema of the run's env (its records' layout).
TransitionSchema validate_components(const Config& config);

}  // namespace shmrl::launch
