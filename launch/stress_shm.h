#pragma once
// `shmrl stress` scenarios with /dev/shm full: the scenario runs in a fork of `shmrl stress` with
// its own mount namespace and a small private tmpfs over /dev/shm (root or CAP_SYS_ADMIN needed),
// so filling it is bounded and touches nothing of the host's /dev/shm; the training run it starts
// inherits the namespace, and the segment checks after the run see that tmpfs. The namespace and
// its tmpfs go when the fork exits. Launcher main thread.
#include <cstdint>
#include <string>

namespace shmrl::launch {

// In the calling process: a private mount namespace with a `mib` MiB tmpfs at /dev/shm. False (and
// why in `why`) when not permitted.
bool private_dev_shm(int mib, std::string& why);
// Fills /dev/shm with one file (not a segment: "stress-filler") until at most `leave` bytes are
// free. Returns the bytes it took. Only inside private_dev_shm (the host's /dev/shm is shared with
// other work).
uint64_t fill_dev_shm(uint64_t leave = 0);
// Removes the file fill_dev_shm made (if any).
void unfill_dev_shm();

}  // namespace shmrl::launch
