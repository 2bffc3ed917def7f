#pragma once
// One child process of the launcher: fork + exec with its stdout and stderr appended to a log file,
// in its own process group (a terminal's Ctrl-C reaches only the launcher, which then stops every
// child cleanly; killing the group also reaches anything the child started), and with
// PR_SET_PDEATHSIG so it gets SIGTERM if the launcher dies, even by SIGKILL.
//
// Threading: spawn from the thread that lives as long as the launcher (the main thread): the kernel
// sends PDEATHSIG when the *thread* that forked exits. Between fork and exec the child makes only
// async-signal-safe calls.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace shmrl::launch {

// The running executable's path (/proc/self/exe), to start children of the same build.
std::string self_exe();

// The role executable `name` next to `self` (it links only what its role needs, so it starts faster),
// else "" (the role then runs as a subcommand of self).
std::string role_exe(const std::string& self, const std::string& name);

// How a child ended: "exited with status 3", "killed by signal 9 (SIGKILL)".
std::string describe_wait_status(int status);

// Whether this process runs a single thread now (/proc/self/stat; false if it cannot tell).
bool single_threaded();

class Child {
 public:
  // Starts `program` with argv = {program, args...}; output appended to log_path (created 0644).
  // Throws std::runtime_error if fork fails or the log cannot be opened; an exec failure shows up
  // as the child exiting with status 127 and a line in its log.
  static Child spawn(const std::string& program, const std::vector<std::string>& args,
                     const std::string& log_path);

  // Starts a child that runs `body` in a fork of this process, without exec: it keeps the libraries
  // this process has already loaded and initialised (LibTorch's start-up is paid once, by the
  // launcher), so it is ready in milliseconds. Same group, PDEATHSIG, signals and log as spawn; its
  // command line (ps, /proc/<pid>/cmdline) becomes `title`; it exits with body's return value (1 and
  // a line in its log if body throws). Precondition: this process has a single thread (a fork copies
  // only the calling thread, and a lock another thread held would stay locked in the child): see
  // single_threaded(). Throws std::runtime_error as spawn.
  static Child fork_run(const std::string& title, const std::string& log_path, const std::function<int()>& body);

  Child() = default;
  Child(Child&& o) noexcept;
  Child& operator=(Child&& o) noexcept;
  ~Child();  // a still-running child is SIGKILLed and reaped: never leak a process

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }
  // Reaps the child if it has exited (waitpid WNOHANG). Returns its wait status once it has ended.
  std::optional<int> poll();
  // Sends `sig` to the child's process group (its own and anything it started). No-op once reaped.
  void signal_group(int sig) const;
  // Waits until the child has ended or `deadline`; true if it has ended (then reaped) or was never
  // started.
  bool wait_until(std::chrono::steady_clock::time_point deadline);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Stops children: SIGTERM to every running one, waits up to `grace` (or until `force()` turns true,
// polled every 10 ms: a second Ctrl-C), then SIGKILL to the rest and reaps them (bounded: a
// SIGKILLed process is reaped within ~1 s). Returns the indices of those that needed SIGKILL.
std::vector<std::size_t> stop_children(std::vector<Child*> children, std::chrono::milliseconds grace,
                                       const std::function<bool()>& force = {});

}  // namespace shmrl::launch
