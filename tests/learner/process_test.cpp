// The learner as a real process (forked, run_learner_process) against real shared-memory batch
// slots filled by the test: trains, publishes weights in the actors' format, checkpoints, stops
// cleanly on SIGTERM, resumes from its checkpoint, refuses to resume from nothing or a mismatch.
#include "tests/learner/helpers.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "common/shm/segment.h"
#include "common/shm/weight_board.h"
#include "common/stats.h"
#include "learner/checkpoint.h"
#include "learner/process.h"
#include "models/weights_blob.h"
#include "tests/learner/batches.h"

using namespace shmrl;
using namespace shmrl::learner;
using namespace shmrl::learner::test;
using namespace std::chrono_literals;

namespace {
constexpr std::size_t kBatch = 16;

std::string write_config(const TempDir& dir, const std::string& hidden = "[16]") {
  std::string path = (dir.path / "config.toml").string();
  std::ofstream(path) << "[run]\nseed = 1\nlearners = 1\nactors = 1\ndevice = \"cpu\"\n"
                      << "[env]\nid = \"CartPole-v1\"\n[replay]\nbatch_slots = 3\n"
                      << "[learner]\nbatch_size = " << kBatch << "\nhidden = " << hidden
                      << "\npublish_period = 5\ncheckpoint_period_s = 0.2\ntorch_threads = 1\n";
  return path;
}

pid_t start_learner(const LearnerProcessArgs& args) {
  std::fflush(nullptr);  // or the child's exit path could repeat the parent's buffered output
  pid_t pid = ::fork();
  if (pid == 0) {
    torch::set_num_threads(1);  // forked after the parent used torch
    ::_exit(run_learner_process(args));
  }
  return pid;
}

// Keeps the slots full until pred() holds or the child exits; returns the child's exit status if it
// exited (else -1). Bounded by `limit`.
int feed_until(replay::BatchWriter& w, const TransitionSchema& schema, uint64_t& seq, pid_t child,
               const std::function<bool()>& pred, std::chrono::seconds limit) {
  const auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    while (fill_one(w, schema, kBatch, seq + 1)) ++seq;
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    if (pred()) return -1;
    std::this_thread::sleep_for(1ms);
  }
  return -2;
}

int wait_exit(pid_t child, std::chrono::seconds limit) {
  const auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    std::this_thread::sleep_for(10ms);
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  return -2;
}

double stat_of(const RunContext& run, const char* name) {
  std::map<std::string, double> s;
  try {
    s = read_stats(run, seg::learner_stats(0));
  } catch (const std::runtime_error&) {
    return -1;  // read_stats can throw while the learner is still creating its stats segment
  }
  auto it = s.find(name);
  return it == s.end() ? -1 : it->second;
}
}  // namespace

TEST_CASE("learner process: trains, publishes, checkpoints, stops on SIGTERM, resumes",
          "[learner][process]") {
  TempDir dir;
  const RunContext run{shm::new_run_id(), ProcessId::self(), dir.str()};
  struct Cleanup {
    std::string id;
    ~Cleanup() { shm::remove_run(id); }
  } cleanup{run.run_id};
  const auto schema = cartpole_schema();
  auto writer = replay::BatchWriter::open_or_create(run, 0, schema, kBatch, 3, false, 1);
  LearnerProcessArgs args{run.run_id, ::getpid(), run.run_dir, write_config(dir), 0, false, 0};
  uint64_t seq = 0;

  pid_t child = start_learner(args);
  REQUIRE(child > 0);
  int rc = feed_until(writer, schema, seq, child, [&] { return stat_of(run, "updates") >= 60; }, 60s);
  REQUIRE(rc == -1);  // still running, 60 updates done
  CHECK(stat_of(run, "ready") == 1);
  CHECK(stat_of(run, "loss") >= 0);

  // The weight board holds the online network in the actors' blob format.
  {
    auto seg = shm::Segment::open(run.run_id, seg::weights());
    auto board = shm::WeightBoard::attach(seg.data(), seg.size());
    std::vector<std::byte> blob;
    auto version = board.read(blob, deadline_in(1s));
    REQUIRE(version.has_value());
    CHECK(*version >= 55);
    models::QNetOptions o;
    o.obs_dim = 4;
    o.num_actions = 2;
    o.hidden = {16};
    o.dueling = true;
    models::QNet net(o);
    CHECK_NOTHROW(models::load_weights_blob(*net, blob));
  }

  ::kill(child, SIGTERM);
  CHECK(wait_exit(child, 10s) == 0);
  const std::string ckdir = run.run_dir + "/checkpoints";
  auto latest = latest_checkpoint(ckdir);
  REQUIRE(latest.has_value());
  const auto final_updates = peek_checkpoint(*latest).second.updates;
  CHECK(final_updates >= 60);
  CHECK(final_updates == static_cast<uint64_t>(stat_of(run, "updates")));
  CHECK(std::filesystem::exists(ckdir + "/policy.pt"));
  CHECK(std::filesystem::exists(ckdir + "/policy.json"));

  SECTION("--resume continues from the checkpoint") {
    args.resume = true;
    args.max_updates = final_updates + 20;
    child = start_learner(args);
    rc = feed_until(writer, schema, seq, child, [] { return false; }, 60s);
    CHECK(rc == 0);  // stopped by itself at max_updates
    auto again = latest_checkpoint(ckdir);
    REQUIRE(again.has_value());
    CHECK(peek_checkpoint(*again).second.updates == final_updates + 20);
    CHECK(stat_of(run, "weight_version") >= static_cast<double>(final_updates + 20));
  }
  SECTION("--resume with another network is refused") {
    args.resume = true;
    args.config = write_config(dir, "[32]");
    child = start_learner(args);
    CHECK(wait_exit(child, 30s) == 1);
  }
}

TEST_CASE("learner process: --resume without a checkpoint fails fast", "[learner][process]") {
  TempDir dir;
  const RunContext run{shm::new_run_id(), ProcessId::self(), dir.str()};
  LearnerProcessArgs args{run.run_id, ::getpid(), run.run_dir, write_config(dir), 0, true, 0};
  pid_t child = start_learner(args);
  CHECK(wait_exit(child, 30s) == 1);
  shm::remove_run(run.run_id);
  CHECK(shm::list_segments(run.run_id).empty());
}

TEST_CASE("learner process: exits cleanly, with a final checkpoint, when its parent dies",
          "[learner][process]") {
  TempDir dir;
  const RunContext run{shm::new_run_id(), ProcessId::self(), dir.str()};
  struct Cleanup {
    std::string id;
    ~Cleanup() {
      shm::remove_run(id);
      ::prctl(PR_SET_CHILD_SUBREAPER, 0);
    }
  } cleanup{run.run_id};
  const auto schema = cartpole_schema();
  auto writer = replay::BatchWriter::open_or_create(run, 0, schema, kBatch, 3, false, 1);
  // The learner's parent is an intermediate process; this test adopts the orphan (subreaper) so it
  // can wait for it after killing the parent.
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::fflush(nullptr);
  pid_t parent = ::fork();
  if (parent == 0) {
    LearnerProcessArgs args{run.run_id, ::getpid(), run.run_dir, write_config(dir), 0, false, 0};
    pid_t learner = start_learner(args);
    (void)!::write(fds[1], &learner, sizeof learner);
    for (;;) ::pause();
  }
  pid_t learner = 0;
  REQUIRE(::read(fds[0], &learner, sizeof learner) == sizeof learner);
  ::close(fds[0]);
  ::close(fds[1]);
  uint64_t seq = 0;
  CHECK(feed_until(writer, schema, seq, learner, [&] { return stat_of(run, "updates") >= 20; }, 60s) == -1);
  ::kill(parent, SIGKILL);
  ::waitpid(parent, nullptr, 0);
  CHECK(wait_exit(learner, 10s) == 0);  // PR_SET_PDEATHSIG -> SIGTERM -> clean stop
  auto latest = latest_checkpoint(run.run_dir + "/checkpoints");
  REQUIRE(latest.has_value());
  CHECK(peek_checkpoint(*latest).second.updates >= 20);
}

TEST_CASE("learner process: SIGTERM while waiting for the replay service exits cleanly", "[learner][process]") {
  TempDir dir;
  const RunContext run{shm::new_run_id(), ProcessId::self(), dir.str()};
  LearnerProcessArgs args{run.run_id, ::getpid(), run.run_dir, write_config(dir), 0, false, 0};
  pid_t child = start_learner(args);
  // Wait until it is up (its stats block exists, not ready: no batch slots yet), then stop it.
  const auto end = Clock::now() + 30s;
  while (stat_of(run, "ready") != 0 && Clock::now() < end) std::this_thread::sleep_for(10ms);
  CHECK(stat_of(run, "ready") == 0);
  ::kill(child, SIGTERM);
  CHECK(wait_exit(child, 5s) == 0);
  shm::remove_run(run.run_id);
}
