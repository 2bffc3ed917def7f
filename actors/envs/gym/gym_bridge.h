#pragma once
// The Python bridge: a `gym:<id>` env as a VectorEnv (actors/envs/vector_env.h) stepped by the
// Gymnasium vector env of shmrl_gym.py (SyncVectorEnv, autoreset disabled; for ALE/ ids ale-py's
// C++-threaded AtariVectorEnv under the Ape-X/DQN Atari protocol, shmrl_gym.ATARI_PROTOCOL) in an interpreter
// embedded in this process: the venv's python of launch/setup, so `import gymnasium` and the venv's
// packages work. One Python call per vector step and one per reset of the envs that ended;
// observations and rewards are copied once, by numpy, straight into the caller's buffers.
// The GIL is held only inside these calls (never across the ring push or policy inference).
//
// The interpreter starts at the first make_gym_vector_env of a process and lives until the process
// exits; it never handles signals (the actor's own handlers stay). Start it only in a process that
// will not fork afterwards (an actor). Python and LibTorch never meet in one translation unit.
//
// Threading: one thread at a time per env (any thread: each call takes the GIL).
#include <memory>

#include "actors/envs/vector_env.h"

namespace shmrl::envs {

// gym:<id> x opts.num_envs, kwargs passed to gymnasium.make_vec, opts.python_modules imported
// first. Spaces as resolve_gym_spaces (gym_spaces.h). `evaluation`: the envs greedy evaluation
// steps (ALE ids: shmrl_gym.ATARI_EVALUATION on top of kwargs, whole games with true returns; every
// reset of all envs reseeds them). Throws std::invalid_argument for what the probe refuses (unknown
// id, missing module, unsupported space), std::runtime_error when Python fails to build the env (its
// traceback on stderr).
std::unique_ptr<VectorEnv> make_gym_vector_env(const std::string& id, const EnvKwargs& kwargs,
                                               const std::string& python_modules, std::size_t num_envs,
                                               bool evaluation = false);

}  // namespace shmrl::envs
