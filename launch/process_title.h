#pragma once
// The command line a process shows (ps, top, /proc/<pid>/cmdline), rewritten in place: a child the
// launcher forks without exec would otherwise show the launcher's own `shmrl train ...`.
#include <string>

namespace shmrl::launch {

// Rewrites this process's command line to `title` (truncated to the space the kernel gave argv and
// the environment at exec). The environment strings are first copied to the heap, so getenv keeps
// working. Call once, early, in a single-threaded process (it edits environ). No-op if /proc/self/stat
// cannot tell where that space is.
void set_process_title(const std::string& title);

}  // namespace shmrl::launch
