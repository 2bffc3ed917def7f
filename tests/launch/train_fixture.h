#pragma once
// Runs the real `shmrl train` binary (fork + exec) in a private run directory, with helpers to
// find its children, wait for files and conditions, and read its metrics and summary. Everything
// is bounded by deadlines; the destructor kills whatever is left and removes the directory.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/proc.h"
#include "common/shm/segment.h"

namespace shmrl::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Every row of a CSV file with a header line (metrics.csv, sweep.csv) as column -> cell.
inline std::vector<std::map<std::string, std::string>> csv_rows(const fs::path& path) {
  std::ifstream in(path);
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> names;
  for (std::stringstream h(header); std::getline(h, line, ',');) names.push_back(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::stringstream l(line + ",");
    std::map<std::string, std::string> row;
    std::string cell;
    for (const auto& n : names)
      if (std::getline(l, cell, ',')) row[n] = cell;
    rows.push_back(std::move(row));
  }
  return rows;
}

// Polls `cond` every 20 ms until it holds or `timeout` passes; returns whether it held.
inline bool wait_for(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Live (non-zombie) processes whose parent is `ppid`: pid -> command line (NULs as spaces).
inline std::map<pid_t, std::string> children_of(pid_t ppid) {
  std::map<pid_t, std::string> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = slurp(e.path() / "stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state;
    pid_t parent;
    rest >> state >> parent;
    if (parent != ppid || state == 'Z') continue;
    std::string cmd = slurp(e.path() / "cmdline");
    for (char& c : cmd) c = c == '\0' ? ' ' : c;
    out[std::stoi(name)] = cmd;
  }
  return out;
}

// Starts `shmrl args...` with stdout and stderr going to `out`. Returns the child's pid.
inline pid_t spawn_shmrl(const std::vector<std::string>& args, const fs::path& out) {
  std::vector<std::string> argv = {std::string(SHMRL_BINARY_DIR) + "/shmrl"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    FILE* f = std::fopen(out.c_str(), "w");
    if (f) {
      dup2(fileno(f), STDOUT_FILENO);
      dup2(fileno(f), STDERR_FILENO);
    }
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

// Runs `shmrl args...` to completion (bounded by `timeout`, then SIGKILL); returns its exit status
// and puts its stdout + stderr in `output`.
inline int run_shmrl(const std::vector<std::string>& args, std::string& output,
                     std::chrono::seconds timeout) {
  fs::path out = fs::temp_directory_path() / ("shmrl-cmd-" + std::to_string(getpid()) + ".out");
  const pid_t pid = spawn_shmrl(args, out);
  int status = 0;
  if (!wait_for([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout)) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  output = slurp(out);
  fs::remove(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class TrainRun {
 public:
  // Starts `shmrl train --run-dir <tmp> --run-id <id> args...`; output goes to <tmp>/train.out.
  explicit TrainRun(const std::vector<std::string>& args, const std::string& tag = "t") {
    root_ = fs::temp_directory_path() / ("shmrl-train-test-" + std::to_string(getpid()) + "-" + tag);
    fs::remove_all(root_);
    fs::create_directories(root_);
    run_id_ = "test-" + std::to_string(getpid()) + "-" + tag;
    std::vector<std::string> argv = {"train", "--run-dir", root_.string(), "--run-id", run_id_};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = spawn_shmrl(argv, root_ / "train.out");
  }
  ~TrainRun() {
    if (!exited_) {
      for (auto& [pid, cmd] : children_of(pid_)) kill(pid, SIGKILL);
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    shm::remove_run(run_id_);
    fs::remove_all(root_);
  }

  pid_t pid() const { return pid_; }
  const std::string& run_id() const { return run_id_; }
  fs::path dir() const { return root_ / run_id_; }
  std::string output() const { return slurp(root_ / "train.out"); }
  std::string launcher_log() const { return slurp(dir() / "logs" / "launcher.log"); }

  // Waits for the launcher to exit; returns its exit status (or -1 on timeout).
  int wait_exit(std::chrono::milliseconds timeout) {
    int status = 0;
    bool done = wait_for([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout);
    if (!done) return -1;
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // Marks the launcher as gone (the test killed and reaped it some other way).
  void forget() { exited_ = true; }
  // Waits until the launcher says every process is ready.
  bool wait_ready(std::chrono::milliseconds timeout) const {
    return wait_for([&] { return launcher_log().find("processes ready") != std::string::npos; }, timeout);
  }
  // The last row of metrics.csv as column -> value (empty if no row yet).
  std::map<std::string, std::string> last_metrics() const {
    std::ifstream in(dir() / "metrics.csv");
    std::string header, line, last;
    if (!std::getline(in, header)) return {};
    while (std::getline(in, line)) last = line;
    std::map<std::string, std::string> row;
    std::istringstream h(header), l(last + ",");
    for (std::string name, cell; std::getline(h, name, ',') && std::getline(l, cell, ',');) row[name] = cell;
    return last.empty() ? std::map<std::string, std::string>{} : row;
  }
  double metric(const std::string& name) const {
    auto row = last_metrics();
    auto it = row.find(name);
    return it == row.end() || it->second.empty() ? -1 : std::stod(it->second);
  }
  nlohmann::json summary() const { return nlohmann::json::parse(slurp(dir() / "summary.json")); }

 private:
  fs::path root_;
  std::string run_id_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

// Small, fast settings for process-level tests (not for learning).
inline std::vector<std::string> tiny_run_args() {
  return {"--actors",
          "2",
          "--envs-per-actor",
          "4",
          "--time-limit",
          "120",
          "--target-return",  // never reached: these runs must still be going when the test stops them
          "1e9",
          "--set",
          "replay.capacity=20000",
          "--set",
          "replay.min_size_to_sample=500",
          "--set",
          "learner.batch_size=64",
          "--set",
          "learner.hidden=[32, 32]",
          "--set",
          "eval.episodes=2",
          "--set",
          "eval.period_s=1.0"};
}

}  // namespace shmrl::test
