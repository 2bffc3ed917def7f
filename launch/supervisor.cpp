#include "launch/supervisor.h"

#include <signal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <string_view>
#include <thread>
#include <utility>

namespace shmrl::launch {

std::string tail_lines(const std::string& path, int lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += "\n  " + l;
  return out;
}

namespace {
// What ProcessGroupNCCL's watchdog logs before it aborts a learner whose collective ran past its
// timeout (learner/backend_nccl.cpp): the learner then ends by SIGABRT, with no error line of ours.
constexpr std::string_view kNcclWatchdogTimeout = "Watchdog caught collective operation timeout";

bool log_contains(const std::string& path, std::string_view needle) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) return true;
  return false;
}
}  // namespace

const char* role_word(Role r) {
  switch (r) {
    case Role::Replay:
      return "replay";
    case Role::Learner:
      return "learner";
    case Role::Actor:
      return "actor";
    case Role::Evaluator:
      return "evaluator";
  }
  return "?";
}

double RestartPolicy::delay_s(int n) const {
  return std::min(kMaxBackoffS, backoff_s * std::pow(2.0, std::max(0, n - 1)));
}

Supervisor::Supervisor(std::string program, std::string log_dir, RestartPolicy restarts, Console& console)
    : program_(std::move(program)), log_dir_(std::move(log_dir)), policy_(restarts), console_(console) {}

void Supervisor::add(Role role, int index, std::string name, std::vector<std::string> args, std::string program,
                     bool may_fork, std::vector<std::string> restart_args) {
  members_.push_back(Member{role, index, std::move(name), std::move(args), Child{}, 0, std::nullopt,
                            std::move(program), std::move(restart_args), may_fork});
}

void Supervisor::spawn(Member& m, bool first) {
  if (first && m.may_fork && fork_entry_ && single_threaded()) {
    std::string title = "shmrl";
    for (const auto& a : m.args) title += " " + a;
    m.child = Child::fork_run(title, log_path(m), [this, &m] { return fork_entry_(m.args); });
    return;
  }
  std::vector<std::string> args = m.args;
  if (!first) args.insert(args.end(), m.restart_args.begin(), m.restart_args.end());
  if (m.role == Role::Learner && learner_epoch_ > 0)
    args.insert(args.end(), {"--rendezvous-epoch", std::to_string(learner_epoch_)});
  m.child = Child::spawn(m.program.empty() ? program_ : m.program, args, log_path(m));
}

void Supervisor::restart_learner_group(const Member& m) {
  ++learner_epoch_;
  for (auto& o : members_) {
    if (o.role != Role::Learner || &o == &m) continue;
    if (o.child.running()) {
      o.child.signal_group(SIGKILL);
      o.child.wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(2));
      console_.message(o.name + " (pid " + std::to_string(o.child.pid()) + ") stopped: the learners restart together");
    }
    o.restart_at = m.restart_at;
  }
}

std::string Supervisor::ended(const Member& m, int status) const {
  std::string tail = tail_lines(log_path(m), 8);
  return m.name + " (pid " + std::to_string(m.child.pid()) + ") " + describe_wait_status(status) +
         (tail.empty() ? "; its log " + log_path(m) + " is empty"
                       : "; last lines of " + log_path(m) + ":" + tail);
}

void Supervisor::start(Role role, const std::function<bool(const Member&)>& ready,
                       std::chrono::steady_clock::time_point deadline,
                       const std::function<bool()>& stopping) {
  start_if([role](const Member& m) { return m.role == role; }, ready, deadline, stopping);
}

void Supervisor::start_all(const std::function<bool(const Member&)>& ready,
                           std::chrono::steady_clock::time_point deadline,
                           const std::function<bool()>& stopping) {
  start_if([](const Member&) { return true; }, ready, deadline, stopping);
}

void Supervisor::start_if(const std::function<bool(const Member&)>& which,
                          const std::function<bool(const Member&)>& ready,
                          std::chrono::steady_clock::time_point deadline,
                          const std::function<bool()>& stopping) {
  std::vector<Member*> starting;
  for (auto& m : members_) {
    if (!which(m)) continue;
    if (stopping()) throw StartError("stopped during start-up");
    for (Member* s : starting) {
      if (auto st = s->child.poll()) throw StartError(ended(*s, *st));
    }
    spawn(m, m.child.pid() <= 0);
    starting.push_back(&m);
  }
  while (!starting.empty()) {
    for (auto it = starting.begin(); it != starting.end();) {
      Member& m = **it;
      if (auto st = m.child.poll()) throw StartError(ended(m, *st));
      if (ready(m)) {
        m.ready_at = std::chrono::steady_clock::now();
        it = starting.erase(it);
      } else {
        ++it;
      }
    }
    if (starting.empty()) break;
    if (stopping()) throw StartError("stopped during start-up");
    if (std::chrono::steady_clock::now() >= deadline) {
      Member& m = *starting.front();
      std::string tail = tail_lines(log_path(m), 8);
      throw StartError(m.name + " (pid " + std::to_string(m.child.pid()) +
                       ") did not become ready in time (run.ready_timeout_s)" +
                       (tail.empty() ? "" : "; last lines of " + log_path(m) + ":" + tail));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<std::string> Supervisor::poll() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& m : members_) {
    if (m.restart_at && now >= *m.restart_at) {
      m.restart_at.reset();
      spawn(m);
      continue;
    }
    if (!m.child.running()) continue;
    auto st = m.child.poll();
    if (!st) continue;
    const int budget = policy_.budget(m.role);
    if (m.restarts >= budget) {
      std::string why = ended(m, *st);
      if (m.role == Role::Learner && log_contains(log_path(m), kNcclWatchdogTimeout))
        why += "\nan NCCL collective (the gradient all-reduce) ran past the learners' collective timeout "
               "and NCCL's watchdog aborted " + m.name + ": another learner stopped taking part (its "
               "log says why), or its GPU hung";
      return why + "\n" + role_word(m.role) + " restart budget exhausted (run.restarts." + role_word(m.role) +
             " = " + std::to_string(budget) + "): stopping the run";
    }
    ++m.restarts;
    const double delay = policy_.delay_s(m.restarts);
    m.restart_at = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(delay));
    events_.push_back(RestartEvent{m.role, m.name, m.restarts, describe_wait_status(*st)});
    char in[32];
    std::snprintf(in, sizeof in, "%.1f", delay);
    console_.message(m.name + " (pid " + std::to_string(m.child.pid()) + ") " + describe_wait_status(*st) +
                     "; restarting in " + in + " s (" + std::to_string(m.restarts) + "/" +
                     std::to_string(budget) + ")");
    if (m.role == Role::Learner &&
        std::count_if(members_.begin(), members_.end(), [](const Member& o) { return o.role == Role::Learner; }) > 1)
      restart_learner_group(m);
  }
  return std::nullopt;
}

void Supervisor::kill(const std::string& name) {
  for (auto& m : members_)
    if (m.name == name && m.child.running()) m.child.signal_group(SIGKILL);
}

std::vector<RestartEvent> Supervisor::take_restarts() { return std::exchange(events_, {}); }

std::vector<std::string> Supervisor::stop_all(std::chrono::milliseconds grace,
                                              const std::function<bool()>& force) {
  std::vector<Child*> children;
  for (auto& m : members_) {
    m.restart_at.reset();  // a stopping run starts nothing again
    children.push_back(&m.child);
  }
  std::vector<std::string> killed;
  for (std::size_t i : stop_children(children, grace, force)) killed.push_back(members_[i].name);
  return killed;
}

int Supervisor::restarts(Role role) const {
  int n = 0;
  for (const auto& m : members_)
    if (m.role == role) n += m.restarts;
  return n;
}

}  // namespace shmrl::launch
