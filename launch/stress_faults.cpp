#include "launch/stress_faults.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/run.h"
#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"
#include "launch/stress_shm.h"
#include "launch/stress_signals.h"
#include "replay/storage.h"

namespace shmrl::launch {
namespace {

std::string member_name(Role role, int index) {
  return role == Role::Replay ? "replay" : std::string(role_word(role)) + std::to_string(index);
}

// Records the replay's writer may hold verified but not yet copied (replay/writer.cpp reads up to
// 512 per visit): flipping those would corrupt a record after its check, which no checksum sees.
constexpr uint64_t kWriterWindow = 512;

}  // namespace

ProcState state_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  const auto close = stat.rfind(')');
  ProcState st;
  if (close == std::string::npos) return st;
  std::istringstream rest(stat.substr(close + 2));
  rest >> st.state >> st.ppid;
  return st;
}

namespace {

// Waits (up to 1 s) until `pid` is stopped (true) or running again (false).
bool await_stopped(pid_t pid, bool stopped) {
  for (int i = 0; i < 200; ++i) {
    const char s = state_of(pid).state;
    if ((s == 'T' || s == 't') == stopped) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

pid_t pid_of(const std::vector<std::pair<std::string, pid_t>>& pids, const std::string& name) {
  for (const auto& [n, p] : pids)
    if (n == name) return p;
  return 0;
}

// Flips one byte in each of up to `n` committed records of actor ring `a` beyond the writer's window.
uint64_t corrupt_ring(const std::string& run_id, int a, int n, std::mt19937_64& rng) {
  if (!shm::Segment::exists(run_id, seg::actor_ring(a))) return 0;
  auto seg = shm::Segment::open(run_id, seg::actor_ring(a));
  const auto ring = shm::SpscRing::attach(seg.data(), seg.size());
  const uint64_t from = ring.popped() + kWriterWindow, head = ring.pushed();
  uint64_t flipped = 0;
  for (uint64_t i = from; i < head && flipped < static_cast<uint64_t>(n); ++i, ++flipped) {
    const std::size_t byte = std::uniform_int_distribution<std::size_t>(0, ring.record_bytes() - 1)(rng);
    seg.data()[ring.payload_offset(i) + byte] ^= std::byte{0x5a};
  }
  return flipped;
}

// Flips one byte in each of up to `n` distinct stored records of the replay storage not flagged
// corrupt yet, among the newest half of the capacity (none is evicted before the scrub finds it).
uint64_t corrupt_storage(const std::string& run_id, int n, std::mt19937_64& rng) {
  if (!shm::Segment::exists(run_id, seg::replay_storage())) return 0;
  auto seg = shm::Segment::open(run_id, seg::replay_storage());
  const auto& h = *reinterpret_cast<const replay::StorageHeader*>(seg.data());
  // Whole-record layout only: frame-deduplicated items hold frame indices, not record bytes.
  if (seg.size() < sizeof h || h.magic.load() != replay::kStorageMagic || h.frames_offset != 0) return 0;
  const uint64_t cap = h.capacity, end = h.committed.load();
  const uint64_t from = std::max(h.begin.load(), end - std::min(end, cap / 2));
  std::byte* records = seg.data() + h.records_offset;
  const auto* flags = reinterpret_cast<const uint8_t*>(seg.data() + h.corrupt_offset);
  uint64_t flipped = 0;
  std::vector<uint64_t> done;
  for (int tries = 0; tries < 100 * n && flipped < static_cast<uint64_t>(n) && end > from; ++tries) {
    const uint64_t key = std::uniform_int_distribution<uint64_t>(from, end - 1)(rng);
    if (flags[key % cap] != 0 || std::find(done.begin(), done.end(), key) != done.end()) continue;
    const std::size_t byte = std::uniform_int_distribution<std::size_t>(0, h.record_bytes - 1)(rng);
    records[(key % cap) * h.record_bytes + byte] ^= std::byte{0x5a};
    done.push_back(key);
    ++flipped;
  }
  return flipped;
}

// Stops the replay, flips records (ring or storage) and continues it. Returns the records flipped.
uint64_t corrupt_with_replay_stopped(pid_t replay, const Fault& f, const std::string& run_id) {
  kill(replay, SIGSTOP);
  // Flip only once it is stopped: its writer then holds no span beyond kWriterWindow.
  uint64_t n = 0;
  if (await_stopped(replay, true)) {
    std::mt19937_64 rng(static_cast<uint64_t>(f.at_s * 1000) + static_cast<uint64_t>(f.index));
    n = f.kind == FaultKind::CorruptRing ? corrupt_ring(run_id, f.index, f.records, rng)
                                         : corrupt_storage(run_id, f.records, rng);
  }
  kill(replay, SIGCONT);
  await_stopped(replay, false);
  return n;
}

}  // namespace

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::Startup: return "startup";
    case Phase::Training: return "training";
    case Phase::Evaluation: return "evaluation";
    case Phase::Checkpointing: return "checkpointing";
  }
  return "?";
}

std::string Fault::describe() const {
  char at[32];
  std::snprintf(at, sizeof at, "%6.1f s: ", at_s);
  const std::string who = member_name(role, index);
  switch (kind) {
    case FaultKind::Kill:
      return at + ("SIGKILL " + who);
    case FaultKind::Stop:
      return at + ("SIGSTOP " + who);
    case FaultKind::Cont:
      return at + ("SIGCONT " + who);
    case FaultKind::CorruptRing:
      return at + ("flip a byte in " + std::to_string(records) + " unconsumed records of actor_ring." +
                   std::to_string(index) + " (replay stopped meanwhile)");
    case FaultKind::SignalLauncher:
      return "SIG" + std::string(sigabbrev_np(signal)) + " the launcher " + std::to_string(at_s).substr(0, 4) +
             " s into " + phase_name(phase);
    case FaultKind::FillShm:
      return (at_s < 0 ? std::string("before start: ") : std::string(at)) + "fill /dev/shm (private tmpfs) " +
             (records > 0 ? "but " + std::to_string(records) + " MiB" : std::string("to its last page"));
    case FaultKind::CorruptStorage:
      return at + ("flip a byte in " + std::to_string(records) + " records of replay-storage (replay stopped meanwhile)");
  }
  return at;
}

Scenario checkpoint_kill_scenario(int strikes, double duration_s) {
  Scenario s{"checkpoint-kill", "SIGKILL the learner inside " + std::to_string(strikes) +
                                    " checkpoint writes (one every 0.2 s), restarted at once",
             {}, {}};
  s.checkpoint_strikes = strikes;
  // Room for every kill (a restart execs a learner: about a second here), and restarts without delay.
  s.duration_s = std::max(duration_s, 4.0 * strikes);
  s.train_args = {"--set", "learner.checkpoint_period_s=0.2", "--set",
                  "run.restarts.learner=" + std::to_string(3 * strikes + 1), "--set", "run.restarts.backoff_s=0"};
  return s;
}

const std::vector<std::string>& scenario_names() {
  static const std::vector<std::string> names = {"actor-chaos", "replay-kill",     "learner-kill",  "learner-kill-2",
                                                 "stall",       "corruption",      "checkpoint-kill", "shm-full-start",
                                                 "shm-full-mid", "launcher-signals"};
  return names;
}

Scenario make_scenario(const std::string& name, double d, int actors, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto jitter = [&](double t, double by) { return t + std::uniform_real_distribution<double>(-by, by)(rng); };
  Scenario s{name, "", {}, {}};
  // n faults spread evenly over the middle of the run, each moved by up to a quarter of the spacing.
  auto spread = [&](int n, FaultKind kind, Role role, int index) {
    const double gap = 0.8 * d / n;
    for (int i = 0; i < n; ++i) s.faults.push_back({jitter(0.1 * d + (i + 0.5) * gap, gap / 4), kind, role, index, 0});
  };
  if (name == "actor-chaos") {
    s.what = "SIGKILL a random actor every 2 s";
    for (double t = 2; t < d - 1; t += 2)
      s.faults.push_back({t, FaultKind::Kill, Role::Actor, std::uniform_int_distribution<int>(0, actors - 1)(rng), 0});
    // The restart budget is not what this measures: one actor may take every kill.
    s.train_args = {"--set", "run.restarts.actor=" + std::to_string(s.faults.size() + 1)};
  } else if (name == "replay-kill") {
    s.what = "SIGKILL the replay service 5 times";
    spread(5, FaultKind::Kill, Role::Replay, 0);
  } else if (name == "learner-kill" || name == "learner-kill-2") {
    const int learners = name == "learner-kill" ? 1 : 2;
    s.what = "SIGKILL a learner 3 times (" + std::to_string(learners) + " learner" + (learners > 1 ? "s)" : ")");
    s.train_args = {"--learners", std::to_string(learners)};
    spread(3, FaultKind::Kill, Role::Learner, learners - 1);
  } else if (name == "stall") {
    const double stop_for = std::min(30.0, 0.5 * d);
    s.what = "SIGSTOP the learner for " + std::to_string(static_cast<int>(stop_for)) + " s, then SIGCONT";
    const double at = 0.2 * d;
    s.faults = {{at, FaultKind::Stop, Role::Learner, 0, 0}, {at + stop_for, FaultKind::Cont, Role::Learner, 0, 0}};
  } else if (name == "corruption") {
    s.what = "flip bytes in unconsumed ring records 3 times and in stored records 3 times";
    spread(6, FaultKind::CorruptRing, Role::Actor, 0);
    for (std::size_t i = 0; i < s.faults.size(); ++i) {
      auto& f = s.faults[i];
      f.records = 4;
      if (i % 2 == 1) {
        f.kind = FaultKind::CorruptStorage;
        f.role = Role::Replay;
      } else {
        f.index = std::uniform_int_distribution<int>(0, actors - 1)(rng);
      }
    }
  } else if (name == "checkpoint-kill") {
    s = checkpoint_kill_scenario(kCheckpointStrikes, d);
  } else if (name == "launcher-signals") {
    return launcher_signals_scenario(4, seed);  // in session order, not by time
  } else if (name == "shm-full-start") {
    // Room for the replay storage the launcher checks up front (CartPole's: 3.6 MiB), not for the rest.
    s.what = "/dev/shm (a private 64 MiB tmpfs) full but 5 MiB before the run starts";
    s.shm_mib = 64;
    s.must_fail_start = true;
    s.faults = {{-1, FaultKind::FillShm, Role::Replay, 0, 5}};
  } else if (name == "shm-full-mid") {
    s.what = "/dev/shm (a private 64 MiB tmpfs) full mid-run, then SIGKILL replay, actor, learner";
    s.shm_mib = 64;
    s.faults = {{0.3 * d, FaultKind::FillShm, Role::Replay, 0, 0},
                {0.45 * d, FaultKind::Kill, Role::Replay, 0, 0},
                {0.6 * d, FaultKind::Kill, Role::Actor, std::uniform_int_distribution<int>(0, actors - 1)(rng), 0},
                {0.75 * d, FaultKind::Kill, Role::Learner, 0, 0}};
  } else {
    std::string known;
    for (const auto& n : scenario_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown stress scenario '" + name + "': known are " + known);
  }
  std::sort(s.faults.begin(), s.faults.end(), [](const Fault& a, const Fault& b) { return a.at_s < b.at_s; });
  return s;
}

std::string inject(const Fault& f, const std::string& run_id, const std::vector<std::pair<std::string, pid_t>>& pids,
                   Corrupted& corrupted) {
  // Only the launcher's live children are signalled: a stats block may name a pid that ended since.
  const pid_t launcher = pid_of(pids, "launcher");
  auto live = [&](pid_t p) {
    const auto st = state_of(p);
    return p > 0 && st.ppid == launcher && st.state != 'Z';
  };
  if (f.kind == FaultKind::FillShm) {
    const uint64_t bytes = fill_dev_shm(static_cast<uint64_t>(f.records) << 20);
    return f.describe() + ": " + std::to_string(bytes >> 20) + " MiB taken";
  }
  if (f.kind == FaultKind::CorruptRing || f.kind == FaultKind::CorruptStorage) {
    const pid_t replay = pid_of(pids, "replay");
    if (!live(replay)) return "";
    const uint64_t n = corrupt_with_replay_stopped(replay, f, run_id);
    (f.kind == FaultKind::CorruptRing ? corrupted.ring : corrupted.stored) += n;
    return f.describe() + ": " + std::to_string(n) + " flipped";
  }
  const pid_t target = pid_of(pids, member_name(f.role, f.index));
  if (!live(target)) return "";
  kill(target, f.kind == FaultKind::Kill ? SIGKILL : f.kind == FaultKind::Stop ? SIGSTOP : SIGCONT);
  return f.describe() + " (pid " + std::to_string(target) + ")";
}

}  // namespace shmrl::launch
