#include "common/shm/identity.h"

#include "common/time.h"

namespace shmrl::shm {

void claim_identity(ProcessId& id, std::atomic<uint64_t>& epoch) {
  const ProcessId self = ProcessId::self();
  const uint64_t e = epoch.load(std::memory_order_relaxed);
  const uint64_t writing = (e % 2 == 0) ? e + 1 : e + 2;
  epoch.store(writing, std::memory_order_relaxed);
  // Release stores: a reader that sees either new field also sees the odd epoch (no standalone
  // fences, which ThreadSanitizer does not model).
  std::atomic_ref<int32_t>(id.pid).store(self.pid, std::memory_order_release);
  std::atomic_ref<uint64_t>(id.start_ticks).store(self.start_ticks, std::memory_order_release);
  epoch.store(writing + 1, std::memory_order_release);
}

ProcessId read_identity(ProcessId& id, const std::atomic<uint64_t>& epoch) {
  ProcessId out;
  Backoff backoff;
  for (int round = 0;; ++round) {
    const uint64_t e1 = epoch.load(std::memory_order_acquire);
    out.pid = std::atomic_ref<int32_t>(id.pid).load(std::memory_order_acquire);
    out.start_ticks = std::atomic_ref<uint64_t>(id.start_ticks).load(std::memory_order_acquire);
    const uint64_t e2 = epoch.load(std::memory_order_relaxed);
    if ((e1 == e2 && e1 % 2 == 0) || round >= 100) return out;
    backoff.pause();
  }
}

}  // namespace shmrl::shm
