// Too small a /dev/shm: a child process mounts a 1 MiB tmpfs over /dev/shm in its own mount
// namespace (we run as root in CI) and checks that creating a segment fails up front with the
// actionable message, leaving nothing behind.
#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/mount.h>

#include <string>

#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"
#include "tests/common/shm_test_util.h"
#include "tests/skip.h"

using namespace shmrl;

namespace {

constexpr int kNoNamespace = 77;  // the child could not get a private /dev/shm

// In the child: private mount namespace with a 1 MiB /dev/shm. False if not permitted.
bool small_dev_shm() {
  return ::unshare(CLONE_NEWNS) == 0 &&
         ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
         ::mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=1777") == 0;
}

}  // namespace

TEST_CASE("segment: too little /dev/shm fails with sizes and a fix, leaving nothing behind",
          "[segment][space]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = test::fork_child([&] {
    ::close(fds[0]);
    if (!small_dev_shm()) return kNoNamespace;
    const std::string run = shm::new_run_id();
    std::string report;
    int rc = 0;
    // A ring of 4096 records of 1 KiB needs about 4.3 MiB.
    const std::size_t bytes = shm::SpscRing::bytes_needed({1024, 4096});
    try {
      shm::Segment::create(run, "actor0-ring", bytes);
      report = "created";
      rc = 1;
    } catch (const shm::ShmSpaceError& e) {
      report = e.what();
    }
    if (!shm::list_segments().empty()) rc = 2;  // nothing may be left behind
    if (::write(fds[1], report.data(), report.size()) != static_cast<ssize_t>(report.size())) rc = 3;
    return rc;
  });
  ::close(fds[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, n);
  ::close(fds[0]);
  const int rc = test::wait_child(child);
  if (rc == kNoNamespace) SHMRL_SKIP("cannot unshare a mount namespace here (needs root / CAP_SYS_ADMIN)");
  INFO(msg);
  CHECK(rc == 0);
  CHECK_THAT(msg, Catch::Contains("not enough shared memory in /dev/shm"));
  // The bytes needed: the request plus the segment header, rounded up to pages.
  const std::size_t requested = shm::SpscRing::bytes_needed({1024, 4096});
  const auto at = msg.find("need ");
  REQUIRE(at != std::string::npos);
  const std::size_t paren = msg.find('(', at);
  REQUIRE(paren != std::string::npos);
  const std::size_t needed = std::stoull(msg.substr(paren + 1));
  CHECK(needed >= requested);
  CHECK(needed <= requested + 2 * 4096);
  CHECK_THAT(msg, Catch::Contains("bytes + 1 MiB margin"));
  CHECK_THAT(msg, Catch::Contains("of 1.0 MiB"));  // the size there is
  CHECK_THAT(msg, Catch::Contains("--shm-size=1g"));
  CHECK_THAT(msg, Catch::Contains("remount,size=1g"));
}

TEST_CASE("segment: check_shm_space accepts what fits", "[segment][space]") {
  CHECK_NOTHROW(shm::check_shm_space(4096));
  CHECK_THROWS_AS(shm::check_shm_space(std::size_t{1} << 60), shm::ShmSpaceError);
}
