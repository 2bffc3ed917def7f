#include "common/proc.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>

namespace shmrl {

namespace {

struct StatFields {
  bool exists = false;
  char state = '?';
  uint64_t start_ticks = 0;
};

// Parses /proc/<pid>/stat. comm (field 2) may hold spaces and ')', so fields are counted after the
// last ')'. Plain open/read: this runs on every liveness poll.
StatFields read_stat(pid_t pid) {
  StatFields f;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return f;
  char buf[1024];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return f;
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr || p[1] != ' ') return f;
  p += 2;  // field 3: state
  f.exists = true;
  f.state = *p;
  // Skip to field 22 (starttime): 19 more space-separated fields after the state.
  for (int field = 3; field < 22 && *p != '\0'; ++field) {
    p = std::strchr(p, ' ');
    if (p == nullptr) return f;
    ++p;
  }
  f.start_ticks = std::strtoull(p, nullptr, 10);
  return f;
}

// Pid of the process that forked this one, recorded in the parent just before fork (inherited
// memory), so a child can tell "my parent died before I called die_with_parent" without racing.
std::atomic<pid_t> g_forked_from{0};
struct AtForkRegistration {
  AtForkRegistration() {
    pthread_atfork([] { g_forked_from.store(::getpid(), std::memory_order_relaxed); }, nullptr,
                   nullptr);
  }
} g_atfork_registration;

std::atomic<pid_t> g_self_pid{0};
std::atomic<uint64_t> g_self_ticks{0};

}  // namespace

ProcessId ProcessId::self() {
  const pid_t pid = ::getpid();
  if (g_self_pid.load(std::memory_order_acquire) == pid) {
    return ProcessId{pid, 0, g_self_ticks.load(std::memory_order_relaxed)};
  }
  const ProcessId id = of(pid);
  g_self_ticks.store(id.start_ticks, std::memory_order_relaxed);
  g_self_pid.store(pid, std::memory_order_release);
  return id;
}

ProcessId ProcessId::of(pid_t pid) {
  if (pid <= 0) return ProcessId{pid, 0, 0};
  const StatFields f = read_stat(pid);
  return ProcessId{pid, 0, f.exists ? f.start_ticks : 0};
}

bool ProcessId::alive() const {
  if (pid <= 0) return false;
  const StatFields f = read_stat(pid);
  if (!f.exists || f.state == 'Z' || f.state == 'X' || f.state == 'x') return false;
  return start_ticks == 0 || f.start_ticks == start_ticks;
}

void die_with_parent(int sig, pid_t parent) {
  if (::prctl(PR_SET_PDEATHSIG, sig) != 0) {
    std::perror("shmrl: prctl(PR_SET_PDEATHSIG)");
    std::_Exit(1);
  }
  if (parent == 0) {
    const pid_t forked_from = g_forked_from.load(std::memory_order_relaxed);
    if (forked_from != 0 && forked_from != ::getpid()) parent = forked_from;
  }
  const pid_t ppid = ::getppid();
  if (parent != 0 ? ppid != parent : ppid == 1) {
    std::fprintf(stderr, "shmrl: parent process is gone; exiting\n");
    std::_Exit(1);
  }
}

}  // namespace shmrl

namespace shmrl {

std::optional<MemoryUse> memory_use(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
  if (!in) return std::nullopt;
  MemoryUse m;
  bool any = false, shm = false;
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    const auto space = line.find(' ');
    if (colon == std::string::npos || space < colon) {  // a mapping's header: "start-end perms ... path"
      shm = line.find(" /dev/shm/") != std::string::npos;
      continue;
    }
    const std::string_view key(line.data(), colon);
    const bool priv = key == "Private_Clean" || key == "Private_Dirty";
    if (!priv && key != "Anonymous") continue;
    const std::size_t bytes = std::strtoull(line.c_str() + colon + 1, nullptr, 10) << 10;
    if (priv && !shm) m.private_bytes += bytes;
    if (key == "Anonymous") m.anonymous += bytes;
    any = true;
  }
  if (!any) return std::nullopt;
  return m;
}

}  // namespace shmrl
