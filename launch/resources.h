#pragma once
// Resource sanity before any process starts: the memory a run needs, estimated from the measured
// size of each kind of process times how many the run starts, plus its shared memory, against what
// the machine has (or run.memory_budget_mb); and a warning when actor processes far outnumber the
// cores. A run that cannot fit is refused with the figures instead of taking the machine down.
// Plain arithmetic plus /proc reads; any thread.
#include <cstddef>
#include <optional>
#include <string>

#include "common/schema.h"
#include "launch/config.h"

namespace shmrl::launch {

// Anonymous memory (heap, stacks: what each process adds; /proc/<pid>/smaps_rollup "Anonymous")
// of each kind of process at work on the default CartPole run, measured on the development machine
// (the learner and the launcher's evaluation hold the full LibTorch, ~190 MB; the actor executable
// links only the CPU LibTorch, the replay executable none). tests/launch/resources_test.cpp
// measures a real run and fails when these fall below what the processes use, or far above it.
struct ProcessSizes {
  std::size_t actor = std::size_t{100} << 20;   // shmrl-actor: measured 56 MiB
  std::size_t learner = std::size_t{100} << 20;  // shmrl learner, CPU: measured 57 MiB
  std::size_t replay = std::size_t{16} << 20;   // shmrl-replay, besides its shared-memory segments: 2 MiB (4 MiB private forked)
  std::size_t launcher = std::size_t{100} << 20;  // with its evaluation thread: measured 57 MiB
  std::size_t shared_code = std::size_t{200} << 20;  // the binary and LibTorch's pages, mapped once
};

struct MemoryEstimate {
  int actors = 0, learners = 0;
  int evaluators = 0;  // gym: runs: the evaluator process, an actor's size (Python + CPU LibTorch)
  ProcessSizes sizes;
  std::size_t shared_memory = 0;  // /dev/shm segments of the run
  std::size_t total() const;
  // "2 actors x 100 MiB + 1 learner x 100 MiB + replay 16 MiB + launcher 100 MiB + code 200 MiB +
  // shared memory 14 MiB = 630 MiB".
  std::string describe() const;
};

// The estimate for `config` with records of `schema`.
MemoryEstimate estimate_memory(const Config& config, const TransitionSchema& schema);

// MemAvailable of /proc/meminfo in bytes; std::nullopt when it cannot be read.
std::optional<std::size_t> available_memory();

// Throws ConfigError with the figures when the estimate exceeds run.memory_budget_mb (MiB), or the
// machine's MemAvailable when that is 0.
void check_memory(const Config& config, const TransitionSchema& schema);

// A warning when run.actors is far above `cores` (more than 4 per core: they then mostly wait for
// a CPU, and each still holds its memory), else std::nullopt.
std::optional<std::string> cores_warning(const Config& config, unsigned cores);

}  // namespace shmrl::launch
