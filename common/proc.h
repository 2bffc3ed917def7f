#pragma once
// Process identity that survives pid reuse: (pid, start time in clock ticks from /proc/<pid>/stat).
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>

namespace shmrl {

struct ProcessId {
  int32_t pid = 0;
  uint32_t reserved = 0;
  uint64_t start_ticks = 0;  // field 22 of /proc/<pid>/stat; 0 = unknown

  // The calling process. Cheap after the first call in a process (cached per pid, fork-safe).
  static ProcessId self();
  // The given live pid, or {pid, 0, 0} if it has no /proc entry.
  static ProcessId of(pid_t pid);
  // True while that very process exists (same pid and same start time); zombies count as dead.
  bool alive() const;
  bool operator==(const ProcessId&) const = default;
};
static_assert(sizeof(ProcessId) == 16);

// Makes the calling process receive `sig` when its parent dies (PR_SET_PDEATHSIG), and exits at once
// (status 1) if the parent is already gone. Call first thing in every child process. `parent`: the
// pid the caller expects as parent (pass it through exec, e.g. in argv); 0 = the pid that forked this
// process when it did not exec since, else "gone" means reparented to pid 1.
void die_with_parent(int sig, pid_t parent = 0);

// What a process holds of its own, from /proc/<pid>/smaps, in bytes:
//   private:   Private_Clean + Private_Dirty of every mapping except /dev/shm segments: what one more
//              process of its role costs, for an exec'ed child and for a forked one alike (pages it
//              still shares copy-on-write with its parent are not private);
//   anonymous: Anonymous (heap, stacks, copied library data), shared copy-on-write pages included.
// std::nullopt when the file cannot be read (process gone). O(mappings); any thread.
struct MemoryUse {
  std::size_t private_bytes = 0;
  std::size_t anonymous = 0;
};
std::optional<MemoryUse> memory_use(pid_t pid);

}  // namespace shmrl
