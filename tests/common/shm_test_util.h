#pragma once
// Helpers shared by the shared-memory tests: run-scoped segment cleanup, record contents derived from
// their index, child processes that report through their exit status, sanitizer-scaled counts.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define SHMRL_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define SHMRL_TEST_SANITIZED 1
#endif
#endif

namespace shmrl::test {

#ifdef SHMRL_TEST_SANITIZED
constexpr uint64_t kSanitizerScale = 20;  // instrumented code runs ~10-50x slower
#else
constexpr uint64_t kSanitizerScale = 1;
#endif
constexpr uint64_t scaled(uint64_t n) { return n / kSanitizerScale; }

// 64-byte aligned heap memory standing in for a ring's segment.
struct RingMemory {
  explicit RingMemory(const shm::RingOptions& o)
      : bytes(shm::SpscRing::bytes_needed(o)),
        mem(static_cast<std::byte*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64))) {}
  ~RingMemory() { std::free(mem); }
  RingMemory(const RingMemory&) = delete;
  RingMemory& operator=(const RingMemory&) = delete;
  std::size_t bytes;
  std::byte* mem;
};

// A fresh run id whose segments are all removed when the guard goes out of scope.
struct RunGuard {
  std::string id = shm::new_run_id();
  ~RunGuard() { shm::remove_run(id); }
};

// Record `index` of `bytes` bytes: 8-byte words mixing the index and the word position, so a record
// from another index, a shifted copy or a half-written one all fail check_record.
inline uint64_t record_word(uint64_t index, std::size_t word) {
  return (index + 1) * 0x9E3779B97F4A7C15ull ^ (word * 0xD1B54A32D192ED03ull);
}
inline void fill_record(void* out, std::size_t bytes, uint64_t index) {
  auto* p = static_cast<unsigned char*>(out);
  for (std::size_t w = 0; w * 8 < bytes; ++w) {
    const uint64_t v = record_word(index, w);
    std::memcpy(p + w * 8, &v, std::min<std::size_t>(8, bytes - w * 8));
  }
}
inline bool check_record(const void* in, std::size_t bytes, uint64_t index) {
  const auto* p = static_cast<const unsigned char*>(in);
  for (std::size_t w = 0; w * 8 < bytes; ++w) {
    const uint64_t v = record_word(index, w);
    if (std::memcmp(p + w * 8, &v, std::min<std::size_t>(8, bytes - w * 8)) != 0) return false;
  }
  return true;
}

// Forks a child that runs fn() and _exits with its return value (an exception exits 99). The child
// never returns into the test framework.
template <class Fn>
pid_t fork_child(Fn&& fn) {
  const pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    int rc = 99;
    try {
      rc = fn();
    } catch (...) {
    }
    ::_exit(rc);
  }
  return pid;
}

// Waits for a child; returns its exit status, or 128 + signal if it was killed.
inline int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace shmrl::test
