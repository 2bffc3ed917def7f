#pragma once
// `shmrl train` as a function: validate the configuration, create the run directory, start and
// supervise replay, learners and actors, evaluate, stop cleanly, write summary.json.
#include "launch/train_options.h"

namespace shmrl::launch {

// Exit status: 0 when the run ended as configured (solved, time limit, max env steps), 1 when a
// process failed (start-up, replay or learner crash, actor restart budget), 2 for a configuration
// error (nothing started), 128 + signal when stopped by SIGINT / SIGTERM / SIGHUP. Every stop
// removes the run's shared memory and leaves no child behind. Main thread only.
int run_train(const TrainArgs& args);

}  // namespace shmrl::launch
