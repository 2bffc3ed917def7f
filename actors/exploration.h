#pragma once
// Exploration schedules across actors. Ape-X's (Horgan et al. 2018): actor i of N explores with
// epsilon_i = base^(1 + alpha * i / (N - 1)), so actor 0 explores most and actor N-1 least; a single
// actor uses base. Plain C++.
namespace shmrl::actors {

// 0 <= actor < num_actors; base in [0, 1]; alpha >= 0 (std::invalid_argument otherwise). O(1).
double apex_epsilon(int actor, int num_actors, double base, double alpha);

// Continuous control's per-actor spread of exploration noise: actor i of N multiplies its noise
// (TD3's Gaussian noise, SAC's policy std) by min_scale^(i / (N - 1)), so actor 0 explores with
// the full noise and actor N-1 with min_scale of it; a single actor uses 1. min_scale in (0, 1]
// (std::invalid_argument otherwise). O(1).
double noise_scale(int actor, int num_actors, double min_scale);

}  // namespace shmrl::actors
