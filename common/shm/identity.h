#pragma once
// A process identity (ProcessId) stored in shared memory, written by the process that claims a role
// and read by any other process, guarded by an epoch that works as a sequence lock.
#include <atomic>
#include <cstdint>

#include "common/proc.h"

namespace shmrl::shm {

// Stores the calling process in `id`. The epoch is odd while writing and grows by 2 per claim; a
// claimer killed mid-write leaves it odd, and the next claim moves on to a fresh odd value.
// One claimer at a time (the role's owner).
void claim_identity(ProcessId& id, std::atomic<uint64_t>& epoch);

// A consistent snapshot of `id`, any thread or process. If a claimer died mid-write (epoch stuck
// odd), gives up after ~100 polls (a few ms) and returns the fields as they are: a mix of two
// identities never names a live process (start times differ), so it reads as dead, which is true.
ProcessId read_identity(ProcessId& id, const std::atomic<uint64_t>& epoch);

}  // namespace shmrl::shm
