#pragma once
// Loads the Gymnasium reference trajectories written by scripts/record_gymnasium.py
// (tests/data/gymnasium/<name>.json) and compares C++ steps against them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/envs/env.h"
#include "actors/envs/kwargs.h"

namespace shmrl::envs::testing {

struct RecordedEpisode {
  uint64_t seed = 0;
  std::vector<double> initial_state;          // empty for LunarLander
  std::vector<float> initial_obs;
  std::vector<std::vector<float>> actions;    // Discrete: one value (the index)
  std::vector<std::vector<float>> obs;        // after each step, or after each of obs_steps
  std::vector<int> obs_steps;                 // MuJoCo: the steps obs holds (empty: every step)
  std::vector<double> rewards;
  std::vector<bool> terminated, truncated;
  std::vector<double> draws;                  // LunarLander: every np_random.uniform value
};

struct Recording {
  std::string env_id;
  EnvKwargs kwargs;
  int max_episode_steps = 0;
  std::vector<RecordedEpisode> episodes;
};

// Reads SHMRL_TEST_DATA_DIR/gymnasium/<name>.json.
Recording load_recording(const std::string& name);

// Packs a recorded action into the env's action bytes (int32 for Discrete, float32 for Box).
std::vector<std::byte> encode_action(const Space& space, const std::vector<float>& action);

// max |a - b| over elements.
double max_abs_diff(const std::vector<float>& a, const float* b);

}  // namespace shmrl::envs::testing
