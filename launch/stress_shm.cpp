#include "launch/stress_shm.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace shmrl::launch {
namespace {
constexpr const char* kFiller = "/dev/shm/stress-filler";
}  // namespace

bool private_dev_shm(int mib, std::string& why) {
  const std::string opts = "size=" + std::to_string(mib) + "m,mode=1777";
  if (::unshare(CLONE_NEWNS) != 0) {
    why = std::string("cannot unshare a mount namespace (needs root or CAP_SYS_ADMIN): ") + std::strerror(errno);
    return false;
  }
  // Private first, so the tmpfs below is not propagated back to the host's mounts.
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      ::mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
    why = std::string("cannot mount a private tmpfs at /dev/shm: ") + std::strerror(errno);
    return false;
  }
  return true;
}

uint64_t fill_dev_shm(uint64_t leave) {
  const int fd = ::open(kFiller, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  off_t size = ::lseek(fd, 0, SEEK_END);
  auto free_bytes = [] {
    struct statvfs v {};
    return ::statvfs("/dev/shm", &v) == 0 ? static_cast<uint64_t>(v.f_bavail) * v.f_frsize : 0;
  };
  // Whole MiBs, then pages, until only `leave` bytes are free or tmpfs says no more.
  for (const off_t chunk : {off_t{1} << 20, off_t{4096}}) {
    while (free_bytes() >= leave + static_cast<uint64_t>(chunk) && ::posix_fallocate(fd, size, chunk) == 0) size += chunk;
  }
  ::close(fd);
  return static_cast<uint64_t>(size);
}

void unfill_dev_shm() { ::unlink(kFiller); }

}  // namespace shmrl::launch
