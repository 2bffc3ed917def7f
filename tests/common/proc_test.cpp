// ProcessId liveness (pid reuse, zombies) and die_with_parent, with real processes.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "common/proc.h"
#include "common/time.h"
#include "tests/common/shm_test_util.h"

using namespace shmrl;
using namespace std::chrono_literals;

TEST_CASE("proc: ProcessId tells live, zombie, reused and unknown processes apart", "[proc]") {
  const ProcessId me = ProcessId::self();
  CHECK(me.pid == ::getpid());
  CHECK(me.start_ticks != 0);
  CHECK(me.alive());
  CHECK(ProcessId::of(::getpid()) == me);
  ProcessId reused = me;
  reused.start_ticks += 1;  // same pid, another start time: a different process
  CHECK_FALSE(reused.alive());
  CHECK_FALSE(ProcessId{}.alive());

  const pid_t child = test::fork_child([] {
    ::pause();
    return 0;
  });
  const ProcessId c = ProcessId::of(child);
  CHECK(c.alive());
  ::kill(child, SIGKILL);
  // Until reaped the child is a zombie, which counts as dead.
  const Deadline d = deadline_in(10s);
  while (c.alive() && Clock::now() < d) std::this_thread::sleep_for(1ms);
  CHECK_FALSE(c.alive());
  CHECK(test::wait_child(child) == 128 + SIGKILL);
  CHECK_FALSE(c.alive());
  CHECK(ProcessId::of(child).start_ticks == 0);
}

TEST_CASE("proc: self() is per process across fork", "[proc]") {
  const ProcessId parent = ProcessId::self();
  const pid_t child = test::fork_child([&] {
    const ProcessId me = ProcessId::self();
    return me.pid == ::getpid() && me != parent && me.alive() && parent.alive() ? 0 : 1;
  });
  CHECK(test::wait_child(child) == 0);
}

TEST_CASE("proc: die_with_parent kills the child when its parent dies", "[proc]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  // middle forks grandchild, which arms die_with_parent and reports its pid; then middle dies.
  const pid_t middle = test::fork_child([&] {
    const pid_t grandchild = test::fork_child([&] {
      die_with_parent(SIGKILL);
      const pid_t me = ::getpid();
      if (::write(fds[1], &me, sizeof me) != sizeof me) return 1;
      ::pause();
      return 0;
    });
    (void)grandchild;
    ::pause();
    return 0;
  });
  pid_t grandchild = 0;
  REQUIRE(::read(fds[0], &grandchild, sizeof grandchild) == sizeof grandchild);
  const ProcessId g = ProcessId::of(grandchild);
  CHECK(g.alive());
  ::kill(middle, SIGKILL);
  CHECK(test::wait_child(middle) == 128 + SIGKILL);
  const Deadline d = deadline_in(10s);
  while (g.alive() && Clock::now() < d) std::this_thread::sleep_for(1ms);
  CHECK_FALSE(g.alive());  // killed (and reaped by init/subreaper)
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("time: Backoff escalates from spinning to bounded sleeps, reset starts over", "[time]") {
  Backoff b(std::chrono::microseconds(500));
  const auto t0 = Clock::now();
  for (int i = 0; i < 200; ++i) b.pause();
  const auto spent = Clock::now() - t0;
  CHECK(spent >= 20ms);  // the late steps sleep, they do not spin
  CHECK(spent < 5s);     // each sleep is capped at max_sleep

  // Once escalated, a pause sleeps at least max_sleep; after reset() it is a short spin again.
  Backoff slow(std::chrono::milliseconds(300));
  while (true) {
    const auto t = Clock::now();
    slow.pause();
    if (Clock::now() - t >= 300ms) break;  // reached the capped sleep (after ~0.5 s of steps)
  }
  slow.reset();
  const auto t1 = Clock::now();
  slow.pause();
  CHECK(Clock::now() - t1 < 300ms);
}
