#pragma once
// Exploration schedules. Ape-X's (Horgan et al. 2018): explorer i of N explores with
// epsilon_i = base^(1 + alpha * i / (N - 1)), so explorer 0 explores most and explorer N-1 least; a
// single explorer uses base. As in the paper, an explorer is one environment: env e of actor a is
// explorer a * E + e of N * E (actor_epsilons), so every actor holds the whole range. Plain C++.
#include <vector>

namespace shmrl::actors {

// 0 <= actor < num_actors; base in [0, 1]; alpha >= 0 (std::invalid_argument otherwise). O(1).
double apex_epsilon(int actor, int num_actors, double base, double alpha);

// The epsilons of actor `actor`'s envs_per_actor envs: per env (index actor * E + e of N * E), or,
// with per_env false, the actor's one epsilon (index actor of N) for each. Same argument rules. O(E).
std::vector<double> actor_epsilons(int actor, int num_actors, int envs_per_actor, double base, double alpha,
                                   bool per_env);

// Continuous control's per-actor spread of exploration noise: actor i of N multiplies its noise
// (TD3's Gaussian noise, SAC's policy std) by min_scale^(i / (N - 1)), so actor 0 explores with
// the full noise and actor N-1 with min_scale of it; a single actor uses 1. min_scale in (0, 1]
// (std::invalid_argument otherwise). O(1).
double noise_scale(int actor, int num_actors, double min_scale);

}  // namespace shmrl::actors
