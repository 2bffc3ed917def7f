#pragma once
// The launcher's children by role: starts them (a role, or all at once, waiting until each is ready),
// notices when one ends and restarts it after a backoff, within its role's budget (RestartPolicy),
// and stops them all. A process past its budget is fatal for the run: poll() returns why, with the
// tail of that process's log. Launcher main thread only (see child.h).
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "launch/child.h"
#include "launch/console.h"

namespace shmrl::launch {

// Evaluator: gym: runs' greedy evaluation in a process of its own (actors/evaluator.h).
enum class Role { Replay, Learner, Actor, Evaluator };

// "replay", "learner", "actor", "evaluator": the role's word in keys (run.restarts.<word>) and messages.
const char* role_word(Role r);

// Restarts per process of each role (run.restarts.*) and the delay before each: backoff_s for the
// first restart of a process, doubled for each further one, at most kMaxBackoffS.
struct RestartPolicy {
  static constexpr double kMaxBackoffS = 10;
  int replay = 5, learner = 3, actor = 3;
  double backoff_s = 0.5;
  int evaluator = 3;
  int budget(Role r) const {
    return r == Role::Replay ? replay : r == Role::Learner ? learner : r == Role::Evaluator ? evaluator : actor;
  }
  // Seconds before restart number `n` (1, 2, ...) of one process.
  double delay_s(int n) const;
};

// One restart, as the launcher records it (a metrics row and a console line each).
struct RestartEvent {
  Role role;
  std::string name;  // "replay", "learner0", "actor3"
  int count;         // this process's restarts so far, this one included
  std::string why;   // "killed by signal 9 (SIGKILL)"
};

// A child failed to start (ended, or not ready by the deadline). what() names it, says how, and
// quotes the end of its log.
class StartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Member {
  Role role;
  int index;                      // actor id / learner rank / 0
  std::string name;               // "replay", "learner0", "actor3": also the log file's name
  std::vector<std::string> args;  // argv after the program
  Child child;
  int restarts = 0;
  // Set while a crashed member waits out its backoff: when to start it again.
  std::optional<std::chrono::steady_clock::time_point> restart_at;
  std::string program;  // what it execs; "" = the supervisor's program
  std::vector<std::string> restart_args;  // appended to args when it is restarted
  bool may_fork = false;  // its first start may be a fork of the launcher (see set_fork_entry)
  std::chrono::steady_clock::time_point ready_at{};  // when start() last saw it ready
};

class Supervisor {
 public:
  // program: what every child execs (normally this very binary). log_dir: <run>/logs.
  Supervisor(std::string program, std::string log_dir, RestartPolicy restarts, Console& console);

  // Registers a child; started by start(). program: its executable ("" = the supervisor's).
  // may_fork: see set_fork_entry. restart_args: appended to args on restarts.
  void add(Role role, int index, std::string name, std::vector<std::string> args, std::string program = "",
           bool may_fork = false, std::vector<std::string> restart_args = {});
  // How a member added with may_fork starts the first time, while the launcher still runs a single
  // thread: a fork of the launcher that runs entry(member.args) (Child::fork_run), ready in
  // milliseconds since the libraries are loaded already. Restarts, and starts once the launcher has
  // more threads, exec the member's program as usual.
  void set_fork_entry(std::function<int(const std::vector<std::string>&)> entry) { fork_entry_ = std::move(entry); }
  // Starts every registered member of `role` together, then waits until ready(member) holds for
  // each. Throws StartError if one ends first or the deadline passes, or if `stopping()` turns
  // true (a stop signal during start-up); both are also checked before each spawn, so a stop or a
  // dead child ends a start of many children at once. Polls every 5 ms.
  void start(Role role, const std::function<bool(const Member&)>& ready,
             std::chrono::steady_clock::time_point deadline, const std::function<bool()>& stopping);
  // The same for every registered member at once (roles that wait for each other by attaching with
  // retries start in parallel: start-up takes the slowest process's time, not the sum).
  void start_all(const std::function<bool(const Member&)>& ready, std::chrono::steady_clock::time_point deadline,
                 const std::function<bool()>& stopping);
  // Reaps ended children; schedules a restart for each within its role's budget (and says so on
  // the console, and in take_restarts()), and starts those whose backoff has passed. Any child
  // ending is a crash here: the launcher stops children only through stop_all(). Learners are one
  // group (their collectives need every rank): when one of several ends, the others are SIGKILLed
  // and all restart together, with "--rendezvous-epoch <n>" (n bumped per group restart) so they
  // meet on fresh store keys; only the one that ended counts against its budget. Returns the reason
  // the run must stop, if any.
  std::optional<std::string> poll();
  // SIGKILLs member `name`'s process group (a stalled process); the next poll() reaps it and
  // restarts it like any crash. No-op when it is not running.
  void kill(const std::string& name);
  // The restarts scheduled since the last call (oldest first).
  std::vector<RestartEvent> take_restarts();
  // Stops every child: SIGTERM, up to `grace` or until `force()` (a second Ctrl-C), then SIGKILL.
  // Returns the names that needed SIGKILL.
  std::vector<std::string> stop_all(std::chrono::milliseconds grace, const std::function<bool()>& force = {});

  // Restarts of every process of `role` so far.
  int restarts(Role role) const;
  const std::vector<Member>& members() const { return members_; }
  std::string log_path(const Member& m) const { return log_dir_ + "/" + m.name + ".log"; }

 private:
  // first: the member's first start (a fork when allowed).
  void spawn(Member& m, bool first = false);
  // A learner of several ended (m, restart scheduled): stops the group's other ranks and schedules
  // them for the same instant.
  void restart_learner_group(const Member& m);
  void start_if(const std::function<bool(const Member&)>& which, const std::function<bool(const Member&)>& ready,
                std::chrono::steady_clock::time_point deadline, const std::function<bool()>& stopping);
  // "<name> (pid P) <how it ended>; last lines of <log>:\n..." for error messages.
  std::string ended(const Member& m, int status) const;

  std::string program_, log_dir_;
  RestartPolicy policy_;
  std::vector<RestartEvent> events_;
  int learner_epoch_ = 0;  // the learners' rendezvous number; bumped per group restart
  Console& console_;
  std::vector<Member> members_;
  std::function<int(const std::vector<std::string>&)> fork_entry_;
};

// The last `lines` lines of a text file ("" if unreadable), each indented by two spaces.
std::string tail_lines(const std::string& path, int lines);

}  // namespace shmrl::launch
