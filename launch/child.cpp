#include "launch/child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "launch/process_title.h"

namespace shmrl::launch {

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "/proc/self/exe" : p.string();
}
namespace {
void write_all(int fd, const char* s) {
  std::size_t n = std::strlen(s);
  while (n > 0) {
    ssize_t w = ::write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<std::size_t>(w);
  }
}

// The child side of a start, before exec or body: its own group, PDEATHSIG, default signal handling,
// stdin from /dev/null and stdout/stderr to the log. Async-signal-safe calls only.
void become_child(pid_t parent, int log_fd) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(1);  // the launcher died before prctl took effect
  // The launcher's own signal handling must not leak into the child: unblock everything and
  // restore default dispositions (handlers reset on exec anyway; ignored signals would not).
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGCHLD}) ::signal(sig, SIG_DFL);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  ::dup2(log_fd, STDOUT_FILENO);
  ::dup2(log_fd, STDERR_FILENO);
}

int open_log(const std::string& log_path) {
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    throw std::runtime_error("cannot open log file '" + log_path + "': " + std::strerror(errno));
  }
  return log_fd;
}

pid_t fork_or_throw(int log_fd) {
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(log_fd);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(err));
  }
  return pid;
}
}  // namespace

std::string role_exe(const std::string& self, const std::string& name) {
  auto p = std::filesystem::path(self).parent_path() / name;
  return access(p.c_str(), X_OK) == 0 ? p.string() : "";
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return "killed by signal " + std::to_string(sig) + (abbrev ? std::string(" (SIG") + abbrev + ")" : "");
  }
  return "ended with wait status " + std::to_string(status);
}

Child Child::spawn(const std::string& program, const std::vector<std::string>& args,
                   const std::string& log_path) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_store;
  argv_store.push_back(program);
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log_fd = open_log(log_path);
  const pid_t parent = ::getpid();
  const pid_t pid = fork_or_throw(log_fd);
  if (pid == 0) {
    become_child(parent, log_fd);
    ::execv(argv[0], argv.data());
    write_all(STDERR_FILENO, "launcher: exec of ");
    write_all(STDERR_FILENO, argv[0]);
    write_all(STDERR_FILENO, " failed: ");
    write_all(STDERR_FILENO, std::strerror(errno));
    write_all(STDERR_FILENO, "\n");
    ::_exit(127);
  }
  ::close(log_fd);
  // Also set the group from the parent: whichever runs first, the group exists before anyone
  // signals it (EACCES after the child's exec, or ESRCH, just means the child did it itself).
  ::setpgid(pid, pid);
  Child c;
  c.pid_ = pid;
  return c;
}

Child Child::fork_run(const std::string& title, const std::string& log_path, const std::function<int()>& body) {
  // Output still buffered in this process would be written twice (by the child too).
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const int log_fd = open_log(log_path);
  const pid_t parent = ::getpid();
  const pid_t pid = fork_or_throw(log_fd);
  if (pid == 0) {
    // A single-threaded process's fork child may call anything, as after an exec.
    become_child(parent, log_fd);
    ::close(log_fd);
    set_process_title(title);
    int rc = 1;
    try {
      rc = body();
    } catch (const std::exception& e) {
      std::cerr << title << ": " << e.what() << std::endl;
    }
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    // The launcher's static objects and atexit handlers belong to the launcher: skip them.
    ::_exit(rc);
  }
  ::close(log_fd);
  ::setpgid(pid, pid);  // as in spawn
  Child c;
  c.pid_ = pid;
  return c;
}

bool single_threaded() {
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  std::istringstream rest(line.substr(line.rfind(')') + 2));  // fields from 3 (state) on
  std::string field;
  for (int i = 3; i < 20 && rest >> field;) ++i;  // num_threads is field 20
  long threads = 0;
  return (rest >> threads) && threads == 1;
}

Child::Child(Child&& o) noexcept : pid_(o.pid_), status_(o.status_) { o.pid_ = -1; }

Child& Child::operator=(Child&& o) noexcept {
  if (this != &o) {
    this->~Child();
    pid_ = o.pid_;
    status_ = o.status_;
    o.pid_ = -1;
  }
  return *this;
}

Child::~Child() {
  if (running()) {
    signal_group(SIGKILL);
    wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  }
}

std::optional<int> Child::poll() {
  if (status_ || pid_ <= 0) return status_;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) status_ = st;
  if (r < 0 && errno == ECHILD) status_ = 0;  // reaped elsewhere: it has ended all the same
  return status_;
}

void Child::signal_group(int sig) const {
  if (!running()) return;
  // The group is the child's pid (set in spawn). Before the child is reaped its pid cannot be
  // reused, so this never reaches a stranger. Fall back to the pid if the group is already gone.
  if (::killpg(pid_, sig) != 0) ::kill(pid_, sig);
}

bool Child::wait_until(std::chrono::steady_clock::time_point deadline) {
  if (pid_ <= 0) return true;  // never started
  while (!poll()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::vector<std::size_t> stop_children(std::vector<Child*> children, std::chrono::milliseconds grace,
                                       const std::function<bool()>& force) {
  for (Child* c : children) {
    c->signal_group(SIGTERM);
    c->signal_group(SIGCONT);  // a stopped (SIGSTOPped) child must run to see it
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  auto all_ended = [&] {
    return std::all_of(children.begin(), children.end(),
                       [](Child* c) { return c->wait_until(std::chrono::steady_clock::time_point{}); });
  };
  while (!all_ended() && std::chrono::steady_clock::now() < deadline && !(force && force())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::vector<std::size_t> killed;
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (!children[i]->wait_until(std::chrono::steady_clock::time_point{})) {
      children[i]->signal_group(SIGKILL);
      killed.push_back(i);
    }
  }
  for (std::size_t i : killed) {
    children[i]->wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  }
  return killed;
}

}  // namespace shmrl::launch
