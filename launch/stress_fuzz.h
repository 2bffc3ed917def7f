#pragma once
// `shmrl stress --fuzz SECONDS`: each fuzz target (launch/fuzz_targets.h) for SECONDS in a process
// of its own (a fork), seeded by --seed. The input being parsed sits in memory shared with this
// process, so an input that crashes a target is saved as <out>/fuzz-<target>-crash.bin (its log:
// <out>/fuzz-<target>.log). Prints one row per target (runs, accepted, refused, findings, a sample
// refusal) and writes <out>/fuzz.json. Launcher main thread; needs a single-threaded process.
#include "launch/stress.h"

namespace shmrl::launch {

// 0 when no target crashed or had a finding, 1 otherwise, 2 for bad arguments.
int run_fuzz(const StressArgs& args);

}  // namespace shmrl::launch
