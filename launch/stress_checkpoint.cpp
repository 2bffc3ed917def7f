#include "launch/stress_checkpoint.h"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "launch/stress_faults.h"
#include "learner/checkpoint.h"

namespace shmrl::launch {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr const char* kTmp = ".pt.tmp.";  // learner/atomic_file.cpp's suffix after "ckpt-<updates>"

// The writer's pid of a checkpoint's temporary file name, 0 for any other file.
pid_t writer_of(const std::string& name) {
  const auto at = name.find(kTmp);
  if (!name.starts_with("ckpt-") || at == std::string::npos) return 0;
  try {
    return static_cast<pid_t>(std::stol(name.substr(at + std::strlen(kTmp))));
  } catch (const std::exception&) {
    return 0;
  }
}

// Waits (up to 1 s) until `pid` has died (a zombie its parent has not reaped yet counts).
void await_death(pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    const char s = state_of(pid).state;
    if (s == '?' || s == 'Z' || s == 'X') return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::string newest_complete(const std::string& dir) {
  const auto all = learner::checkpoints_newest_first(dir);
  return all.empty() ? "" : fs::path(all.front()).filename().string();
}

}  // namespace

CheckpointStriker::CheckpointStriker(std::string checkpoint_dir, int strikes, uint64_t seed)
    : dir_(std::move(checkpoint_dir)), target_(strikes), rng_(seed), let_complete_(static_cast<int>(rng_() % 2)) {
  fs::create_directories(dir_);
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0 || inotify_add_watch(fd_, dir_.c_str(), IN_CREATE) < 0)
    throw std::runtime_error("checkpoint-kill: cannot watch " + dir_ + " with inotify: " + std::strerror(errno));
}

CheckpointStriker::~CheckpointStriker() {
  if (fd_ >= 0) ::close(fd_);
}

bool CheckpointStriker::done() const { return struck_ >= target_ || attempted() >= 3 * target_; }

std::string CheckpointStriker::poll(pid_t launcher, int wait_ms) {
  if (done()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    return "";
  }
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, wait_ms) <= 0) return "";
  alignas(inotify_event) char buf[4096];
  const ssize_t n = ::read(fd_, buf, sizeof buf);
  pid_t writer = 0;
  std::string file;
  for (ssize_t at = 0; at < n;) {
    const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
    at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
    const std::string name = e->len > 0 ? e->name : "";
    if (const pid_t w = writer_of(name); w > 0) writer = w, file = name;
  }
  const ProcState st = writer > 0 ? state_of(writer) : ProcState{};
  if (writer == 0 || st.ppid != launcher || st.state == 'Z' || writes_seen_++ < let_complete_) return "";
  ::kill(writer, SIGKILL);
  writes_seen_ = 0;
  let_complete_ = static_cast<int>(rng_() % 2);
  await_death(writer);
  const bool hit = fs::exists(fs::path(dir_) / file);
  struck_ += hit;
  expected_.push_back(newest_complete(dir_));
  std::ostringstream said;
  said << "SIGKILL learner (pid " << writer << ") writing " << file << ": "
       << (hit ? "struck (the write never completed)" : "missed (the checkpoint was complete)") << "; newest complete: "
       << (expected_.back().empty() ? "none" : expected_.back());
  return said.str();
}

json CheckpointStriker::verify(const std::string& learner_log) const {
  std::vector<std::string> restarts;
  std::istringstream in(learner_log);
  for (std::string line; std::getline(in, line);)
    if (line.find("learner 0: restarted: ") != std::string::npos) restarts.push_back(line);
  int newest = 0;
  json wrong = json::array();
  for (std::size_t i = 0; i < expected_.size() && i < restarts.size(); ++i) {
    const std::string& want = expected_[i];
    const std::string& said = restarts[i];
    const bool right = said.find("skipped the newer") == std::string::npos &&
                       (want.empty() ? said.find("no checkpoint yet") != std::string::npos
                                     : said.find("continued from ") != std::string::npos &&
                                           said.find("/" + want + " (") != std::string::npos);
    newest += right;
    if (!right) wrong.push_back({{"expected", want.empty() ? "none" : want}, {"said", said}});
  }
  int files = 0, load = 0, temps = 0;
  json unloadable = json::array();
  for (const auto& path : learner::checkpoints_newest_first(dir_)) {
    ++files;
    try {
      learner::peek_checkpoint(path);
      ++load;
    } catch (const std::exception& e) {
      unloadable.push_back(e.what());
    }
  }
  for (const auto& e : fs::directory_iterator(dir_)) temps += writer_of(e.path().filename().string()) > 0;
  const int attempts = attempted();
  return {{"target", target_},
          {"attempted", attempts},
          {"struck", struck_},
          {"restarts_logged", restarts.size()},
          {"newest_loaded", newest},
          {"wrong_loads", wrong},
          {"files_left", files},
          {"files_load", load},
          {"unloadable", unloadable},
          {"temp_files_left", temps},
          {"ok", struck_ >= target_ && static_cast<int>(restarts.size()) >= attempts && newest == attempts &&
                     files > 0 && load == files}};
}

}  // namespace shmrl::launch
