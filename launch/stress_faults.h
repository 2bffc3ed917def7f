#pragma once
// `shmrl stress` scenarios: which faults, when, against which process of a running `shmrl train`,
// as a seeded schedule (printed before the run), and how each fault is injected: SIGKILL, SIGSTOP /
// SIGCONT, or flipped bytes in records an actor committed to its ring and the replay service has not
// consumed yet (the replay is stopped meanwhile, so exactly those records fail their checksum).
// Launcher main thread.
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "launch/supervisor.h"

namespace shmrl::launch {

enum class FaultKind { Kill, Stop, Cont, CorruptRing };

struct Fault {
  double at_s = 0;  // seconds after every process was ready
  FaultKind kind = FaultKind::Kill;
  Role role = Role::Actor;
  int index = 0;    // actor id / learner rank (0 for the replay)
  int records = 0;  // CorruptRing: records to flip
  std::string describe() const;  // "12.0 s: SIGKILL actor1"
};

struct Scenario {
  std::string name;                       // "actor-chaos", ...
  std::string what;                       // one line for the table's legend
  std::vector<std::string> train_args;    // beyond the common ones (e.g. --learners 2)
  std::vector<Fault> faults;              // by time
};

// The scenario `name` for a run of `duration_s` seconds with `actors` actors, its random choices
// drawn from `seed`. Throws std::invalid_argument naming the known scenarios for an unknown name.
Scenario make_scenario(const std::string& name, double duration_s, int actors, uint64_t seed);
// Every scenario name make_scenario knows, in the order --all runs them.
const std::vector<std::string>& scenario_names();

// Injects `f` into the run `run_id` whose processes are `pids` (by member name: "launcher",
// "replay", "learner0", "actor1"; only the launcher's live children are signalled). Returns what it did ("" when the target was not running: skipped), and adds
// flipped records to `corrupted`.
std::string inject(const Fault& f, const std::string& run_id, const std::vector<std::pair<std::string, pid_t>>& pids,
                   uint64_t& corrupted);

}  // namespace shmrl::launch
