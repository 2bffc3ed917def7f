#pragma once
// Ape-X exploration schedule (Horgan et al. 2018): actor i of N explores with
// epsilon_i = base^(1 + alpha * i / (N - 1)), so actor 0 explores most and actor N-1 least; a single
// actor uses base. Plain C++.
namespace shmrl::actors {

// 0 <= actor < num_actors; base in [0, 1]; alpha >= 0 (std::invalid_argument otherwise). O(1).
double apex_epsilon(int actor, int num_actors, double base, double alpha);

}  // namespace shmrl::actors
