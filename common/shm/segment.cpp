#include "common/shm/segment.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <random>

namespace shmrl::shm {

namespace bip = boost::interprocess;

namespace {

constexpr uint64_t kSegmentMagic = 0x31474553'4c524d53ull;  // "SMRLSEG1"
constexpr uint32_t kLayoutVersion = 1;
constexpr std::size_t kHeaderBytes = 64;  // keeps data() 64-byte aligned (mappings are page-aligned)
constexpr std::size_t kSpaceMargin = std::size_t{1} << 20;
constexpr auto kHeaderlessGrace = std::chrono::seconds(60);
constexpr const char* kShmDir = "/dev/shm";
constexpr const char* kPrefix = "shmrl.";

// Written at offset 0 of every segment; `magic` is stored last (release), so a reader that sees it
// sees the rest, and a segment without it was never finished (creator died mid-create).
struct SegmentHeader {
  uint64_t magic;
  uint32_t layout_version;
  uint32_t header_bytes;
  ProcessId owner;
  uint64_t usable_bytes;
  uint64_t created_ns;
  uint8_t pad[16];
};
static_assert(sizeof(SegmentHeader) == kHeaderBytes);

bool valid_part(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024.0 && u < 4) b /= 1024.0, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", b, units[u]);
  return buf;
}

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

uint64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Header of an existing segment file, read without mapping it. nullopt-like: magic == 0.
SegmentHeader read_header(const std::string& file_name, struct stat* st) {
  SegmentHeader h{};
  const std::string path = std::string(kShmDir) + "/" + file_name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return h;
  if (::fstat(fd, st) != 0 || ::pread(fd, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h)) {
    h = SegmentHeader{};
  }
  ::close(fd);
  if (h.magic != kSegmentMagic || h.layout_version != kLayoutVersion) h.magic = 0;
  return h;
}

}  // namespace

std::string new_run_id() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::random_device rd;
  char id[64];
  std::snprintf(id, sizeof id, "%s-%d-%04x", stamp, static_cast<int>(::getpid()), rd() & 0xffffu);
  return id;
}

std::string segment_name(const std::string& run_id, const std::string& name) {
  if (!valid_part(run_id)) {
    throw std::invalid_argument("segment run_id '" + run_id +
                                "' must be non-empty and use only [A-Za-z0-9_-]");
  }
  if (!valid_part(name)) {
    throw std::invalid_argument("segment name '" + name +
                                "' must be non-empty and use only [A-Za-z0-9_-]");
  }
  std::string full = "/";  // appended piecewise: GCC 12 warns (-Wrestrict) on "lit" + string chains
  full.append(kPrefix).append(run_id).append(".").append(name);
  return full;
}

void check_shm_space(std::size_t bytes) {
  struct statvfs vfs {};
  if (::statvfs(kShmDir, &vfs) != 0) {
    throw ShmSpaceError(std::string("shmrl: cannot query ") + kShmDir + ": " + std::strerror(errno) +
                        ". shmrl needs a writable tmpfs at /dev/shm (docker: --shm-size=2g).");
  }
  const double total = static_cast<double>(vfs.f_blocks) * vfs.f_frsize;
  const double free = static_cast<double>(vfs.f_bavail) * vfs.f_frsize;
  const double needed = static_cast<double>(bytes) + kSpaceMargin;
  if (free >= needed) return;
  // Suggest a size that holds what is used now plus this request, rounded up to whole GiB.
  const double gib = 1024.0 * 1024.0 * 1024.0;
  const long suggest_gib = std::max(1L, static_cast<long>((total - free + needed) / gib) + 1);
  char msg[768];
  std::snprintf(msg, sizeof msg,
                "shmrl: not enough shared memory in %s: need %s (%zu bytes + 1 MiB margin) but only "
                "%s of %s are free. Give it at least %ldg: in docker, `docker run --shm-size=%ldg "
                "...`; on a host, `mount -o remount,size=%ldg %s` (as root). Stale segments of dead "
                "runs are listed by `ls %s/shmrl.*`.",
                kShmDir, human_bytes(needed).c_str(), bytes, human_bytes(free).c_str(),
                human_bytes(total).c_str(), suggest_gib, suggest_gib, suggest_gib, kShmDir,
                kShmDir);
  throw ShmSpaceError(msg);
}

struct Segment::Impl {
  std::string name;  // "/shmrl.<run>.<name>"
  bip::mapped_region region;
  SegmentHeader* header() const { return static_cast<SegmentHeader*>(region.get_address()); }
};

Segment::Segment(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Segment::Segment(Segment&&) noexcept = default;
Segment& Segment::operator=(Segment&&) noexcept = default;
Segment::~Segment() = default;

Segment Segment::create(const std::string& run_id, const std::string& name, std::size_t bytes,
                        ProcessId owner) {
  const std::string shm_name = segment_name(run_id, name);
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t total = round_up(kHeaderBytes + bytes, page);
  check_shm_space(total);

  bip::permissions perm;
  perm.set_permissions(0600);
  std::unique_ptr<bip::shared_memory_object> shm;
  try {
    shm = std::make_unique<bip::shared_memory_object>(bip::create_only, shm_name.c_str() + 1,
                                                      bip::read_write, perm);
  } catch (const bip::interprocess_exception& e) {
    if (e.get_error_code() == bip::already_exists_error) {
      throw std::runtime_error("shmrl: shared-memory segment " + shm_name +
                               " already exists (run id reused?); remove it with `rm /dev/shm" +
                               shm_name + "` if its run is dead");
    }
    throw std::runtime_error("shmrl: cannot create shared-memory segment " + shm_name + ": " +
                             e.what());
  }
  try {
    // Reserve every page now: on a full tmpfs this fails here (ENOSPC) instead of SIGBUS later.
    const int rc = ::posix_fallocate(shm->get_mapping_handle().handle, 0,
                                     static_cast<off_t>(total));
    if (rc == ENOSPC) {
      check_shm_space(total);  // raced with another allocation: report with current figures
      throw ShmSpaceError("shmrl: /dev/shm ran out of space allocating " + human_bytes(total) +
                          " for " + shm_name + "; give it more (docker run --shm-size=...)");
    }
    if (rc != 0) {
      throw std::runtime_error("shmrl: cannot allocate " + human_bytes(total) + " for " + shm_name +
                               ": " + std::strerror(rc));
    }
    auto impl = std::make_unique<Impl>();
    impl->name = shm_name;
    impl->region = bip::mapped_region(*shm, bip::read_write, 0, total);
    SegmentHeader* h = impl->header();
    h->layout_version = kLayoutVersion;
    h->header_bytes = kHeaderBytes;
    h->owner = owner;
    h->usable_bytes = total - kHeaderBytes;
    h->created_ns = now_ns();
    std::atomic_ref<uint64_t>(h->magic).store(kSegmentMagic, std::memory_order_release);
    return Segment(std::move(impl));
  } catch (...) {
    bip::shared_memory_object::remove(shm_name.c_str() + 1);
    throw;
  }
}

Segment Segment::open(const std::string& run_id, const std::string& name) {
  const std::string shm_name = segment_name(run_id, name);
  try {
    bip::shared_memory_object shm(bip::open_only, shm_name.c_str() + 1, bip::read_write);
    bip::offset_t size = 0;
    if (!shm.get_size(size) || static_cast<std::size_t>(size) < kHeaderBytes) {
      throw std::runtime_error("shmrl: " + shm_name + " is not an shmrl segment (too small)");
    }
    auto impl = std::make_unique<Impl>();
    impl->name = shm_name;
    impl->region = bip::mapped_region(shm, bip::read_write);
    SegmentHeader* h = impl->header();
    if (std::atomic_ref<uint64_t>(h->magic).load(std::memory_order_acquire) != kSegmentMagic ||
        h->layout_version != kLayoutVersion ||
        h->usable_bytes + kHeaderBytes > static_cast<std::size_t>(size)) {
      throw std::runtime_error("shmrl: " + shm_name +
                               " is not a (finished) shmrl segment of this version");
    }
    return Segment(std::move(impl));
  } catch (const bip::interprocess_exception& e) {
    throw std::runtime_error("shmrl: cannot open shared-memory segment " + shm_name + ": " +
                             e.what());
  }
}

bool Segment::exists(const std::string& run_id, const std::string& name) {
  struct stat st {};
  return ::stat((std::string(kShmDir) + segment_name(run_id, name)).c_str(), &st) == 0;
}

std::byte* Segment::data() const {
  return static_cast<std::byte*>(impl_->region.get_address()) + kHeaderBytes;
}
std::size_t Segment::size() const { return impl_->header()->usable_bytes; }
const std::string& Segment::name() const { return impl_->name; }
ProcessId Segment::owner() const { return impl_->header()->owner; }

void Segment::unlink() { bip::shared_memory_object::remove(impl_->name.c_str() + 1); }

std::vector<std::string> list_segments(const std::string& run_id) {
  const std::string prefix = run_id.empty() ? kPrefix : std::string(kPrefix) + run_id + ".";
  std::vector<std::string> names;
  DIR* dir = ::opendir(kShmDir);
  if (dir == nullptr) return names;
  while (const dirent* e = ::readdir(dir)) {
    if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0) names.emplace_back(e->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::size_t remove_run(const std::string& run_id) {
  if (!valid_part(run_id)) throw std::invalid_argument("remove_run: bad run_id '" + run_id + "'");
  std::size_t removed = 0;
  for (const auto& n : list_segments(run_id)) {
    if (bip::shared_memory_object::remove(n.c_str())) ++removed;
  }
  return removed;
}

std::vector<std::string> remove_stale_segments() {
  std::vector<std::string> removed;
  std::map<std::pair<int32_t, uint64_t>, bool> alive;  // one /proc read per owner
  const auto now = std::chrono::system_clock::now();
  for (const auto& n : list_segments()) {
    struct stat st {};
    const SegmentHeader h = read_header(n, &st);
    bool stale;
    if (h.magic != 0) {
      const auto key = std::make_pair(h.owner.pid, h.owner.start_ticks);
      auto it = alive.find(key);
      if (it == alive.end()) it = alive.emplace(key, h.owner.alive()).first;
      stale = !it->second;
    } else {
      if (st.st_mtime == 0) continue;  // vanished or unreadable meanwhile
      const auto mtime = std::chrono::system_clock::from_time_t(st.st_mtime);
      stale = now - mtime > kHeaderlessGrace;
    }
    if (stale && bip::shared_memory_object::remove(n.c_str())) removed.push_back(n);
  }
  return removed;
}

}  // namespace shmrl::shm
