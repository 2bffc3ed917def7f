#pragma once
// `shmrl stress` scenarios: which faults, when, against which process of a running `shmrl train`,
// as a seeded schedule (printed before the run), and how each fault is injected: SIGKILL, SIGSTOP /
// SIGCONT, flipped bytes in records an actor committed to its ring and the replay service has not
// consumed yet, or flipped bytes in records of the replay storage (the replay is stopped meanwhile,
// so exactly those records fail their checksum).
// Launcher main thread.
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "launch/supervisor.h"

namespace shmrl::launch {

enum class FaultKind { Kill, Stop, Cont, CorruptRing, CorruptStorage, FillShm, SignalLauncher };
// When a SignalLauncher fault hits its session (launch/stress_signals.h).
enum class Phase { Startup, Training, Evaluation, Checkpointing };
const char* phase_name(Phase p);

struct Fault {
  double at_s = 0;  // seconds after every process was ready; < 0: before the run starts
  FaultKind kind = FaultKind::Kill;
  Role role = Role::Actor;
  int index = 0;    // actor id / learner rank (0 for the replay)
  int records = 0;  // CorruptRing, CorruptStorage: records to flip; FillShm: MiB to leave free
  int signal = 0;   // SignalLauncher: SIGINT, SIGTERM or SIGKILL; at_s counts from its phase's start
  Phase phase = Phase::Training;
  std::string describe() const;  // "12.0 s: SIGKILL actor1"
};

struct Scenario {
  std::string name;                       // "actor-chaos", ...
  std::string what;                       // one line for the table's legend
  std::vector<std::string> train_args;    // beyond the common ones (e.g. --learners 2)
  std::vector<Fault> faults;              // by time
  int shm_mib = 0;                        // > 0: run in a private /dev/shm of this size (stress_shm.h)
  bool must_fail_start = false;           // the run must refuse to start (with why), not train
  bool sample_resources = false;          // RSS and open fds of every process (launch/stress_soak.h)
  double duration_s = 0;                  // the run's length; 0 = --duration
  int checkpoint_strikes = 0;             // > 0: kill the learner inside this many checkpoint writes
                                          // (launch/stress_checkpoint.h), then stop the run (SIGINT)
};

// The scenario `name` for a run of `duration_s` seconds with `actors` actors, its random choices
// drawn from `seed`. Throws std::invalid_argument naming the known scenarios for an unknown name.
Scenario make_scenario(const std::string& name, double duration_s, int actors, uint64_t seed);
// checkpoint-kill with `strikes` kills inside checkpoint writes (make_scenario's: kCheckpointStrikes),
// its time limit at least 4 s per strike (the run is stopped once they are done).
inline constexpr int kCheckpointStrikes = 100;
Scenario checkpoint_kill_scenario(int strikes, double duration_s);
// Every scenario name make_scenario knows, in the order --all runs them.
const std::vector<std::string>& scenario_names();

// Injects `f` into the run `run_id` whose processes are `pids` (by member name: "launcher",
// "replay", "learner0", "actor1"; only the launcher's live children are signalled). Returns what it
// did ("" when the target was not running: skipped), and adds flipped records to `corrupted`.
// A process's state and parent, from /proc/<pid>/stat.
struct ProcState {
  char state = '?';  // R, S, T (stopped), Z, ...; '?' when gone
  pid_t ppid = 0;    // 0: gone
};
ProcState state_of(pid_t pid);

struct Corrupted {
  uint64_t ring = 0, stored = 0;  // records flipped in actor rings / in the replay storage
};
std::string inject(const Fault& f, const std::string& run_id, const std::vector<std::pair<std::string, pid_t>>& pids,
                   Corrupted& corrupted);

}  // namespace shmrl::launch
