#include "learner/process.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <optional>

#include "actors/envs/registry.h"
#include "common/proc.h"
#include "common/run.h"
#include "common/schema.h"
#include "common/stage_clock.h"
#include "common/stats.h"
#include "common/stop_signal.h"
#include "learner/checkpoint.h"
#include "learner/device.h"
#include "learner/algorithm.h"
#include "learner/learner_stats.h"
#include "learner/options.h"
#include "learner/prefetch.h"
#include "learner/restart.h"
#include "learner/resume.h"
#include "learner/weight_publisher.h"
#include "replay/batch_slots.h"
#include "replay/priority_updates.h"

namespace shmrl::learner {
namespace {
using namespace std::chrono_literals;

// Rendezvous and collectives: generous, since a rank may wait on its batch stream while the
// others wait in the all-reduce. Gloo: a peer that dies breaks its connections, which fails at
// once; a stalled peer makes the collective throw after this. NCCL: the watchdog aborts the
// process after this (learner/backend_nccl.cpp), reported by the launcher as a learner failure.
constexpr auto kCollectiveTimeout = 300s;

uint64_t actor_env_steps(const RunContext& run, int actors) {
  double total = 0;
  for (int i = 0; i < actors; ++i) {
    auto s = read_stats(run, seg::actor_stats(i));
    if (auto it = s.find("env_steps"); it != s.end()) total += it->second;
  }
  return static_cast<uint64_t>(total);
}

// Polls `attach` with short deadlines so SIGTERM is noticed while the replay service starts:
// std::nullopt when stopped meanwhile; the last error after `total`.
template <class F>
auto attach_until_stopped(F attach, std::chrono::seconds total)
    -> std::optional<decltype(attach(Deadline{}))> {
  const auto end = Clock::now() + total;
  for (;;) {
    try {
      return attach(std::min(end, deadline_in(1s)));
    } catch (const std::runtime_error&) {
      if (stop_requested()) return std::nullopt;
      if (Clock::now() >= end) throw;
    }
  }
}

struct Checkpointer {
  std::string dir;
  CheckpointMeta meta;
  RunContext run;
  int actors;
  std::string algorithm;
  // Checkpoint + Python export (policy.pt and policy.json). Rank 0 only.
  void write(Learner& l, StatsWriter& stats) {
    const CheckpointCounters c{l.updates(), actor_env_steps(run, actors)};
    write_policy_export(dir, meta, algorithm, c, l.policy(), save_checkpoint(dir, meta, c, l.checkpoint_state()));
    stats.set(stat::kCheckpointUpdates, static_cast<double>(c.updates));
  }
};

void train(const RunContext& run, const LearnerOptions& o, const LearnerProcessArgs& args) {
  const int rank = args.rank;
  const torch::Device device = resolve_device(o.device, rank);
  if (device.is_cuda()) enable_fast_cuda_math();
  auto probe = envs::make_env(o.env_id, o.env_kwargs);
  const TransitionSchema schema(probe->observation_space(), probe->action_space());
  const Algorithm algorithm = resolve_algorithm(o.algorithm, probe->action_space());
  std::vector<std::string> names = {stat::kReady,         stat::kUpdates,         stat::kUpdatesPerS,
                                    stat::kLoss,          stat::kMeanAbsTd,       stat::kGradNorm,
                                    stat::kWeightVersion, stat::kSampleWaitS,     stat::kPriorityDropped,
                                    stat::kCheckpointUpdates, stat::kCuda};
  for (auto& n : stage_stat_names(stages::kLearner)) names.push_back(std::move(n));
  StatsWriter stats(run, seg::learner_stats(rank), names);
  StageClock clock(stages::kLearner, stats);
  stats.set(stat::kReady, 0);
  stats.set(stat::kCuda, device.is_cuda() ? 1 : 0);

  DistOptions dist{rank, o.world_size, o.master_addr, o.master_port, kCollectiveTimeout, args.rendezvous_epoch};
  ProcessGroup group(dist, device);
  const auto algo = make_algorithm(o, probe->observation_space(), probe->action_space(), device,
                                   o.world_size > 1 ? &group : nullptr);
  Learner& learner = *algo;
  learner.set_stage_clock(&clock);
  Checkpointer ckpt{run.run_dir + "/checkpoints", checkpoint_meta(o), run, o.num_actors,
                    algorithm_name(algorithm)};
  if (args.restart) {
    // Rank 0's state reaches the other ranks through sync_replicas().
    if (rank == 0) std::cerr << "learner 0: restarted: " << restore_for_restart(learner, ckpt.meta, ckpt.dir, run) << "\n";
  } else if (args.resume) {
    const auto said = load_newest_checkpoint(learner, ckpt.meta, ckpt.dir);
    if (!said) throw CheckpointError("--resume: no checkpoint in " + ckpt.dir + ": start without --resume");
    std::cerr << "learner " << rank << ": resumed " << *said << "\n";
  }
  learner.sync_replicas();

  auto attached = attach_until_stopped(
      [&](Deadline d) {
        return replay::BatchReader::attach(run, rank, schema, static_cast<std::size_t>(o.batch_size), d);
      },
      60s);
  if (!attached) return;  // stopped before the replay service was up: nothing trained, nothing to save
  replay::BatchReader& reader = *attached;
  std::optional<replay::PriorityWriter> priorities;
  if (reader.prioritized()) {
    auto writer = attach_until_stopped(
        [&](Deadline d) { return replay::PriorityWriter::attach(run, rank, d); }, 60s);
    if (!writer) return;
    priorities.emplace(std::move(*writer));
  }
  std::optional<WeightPublisher> publisher;
  if (rank == 0) {
    publisher.emplace(run, learner.policy());
    stats.set(stat::kWeightVersion,
              static_cast<double>(publisher->publish(learner.policy(), learner.updates())));
  }
  stats.set(stat::kUpdates, static_cast<double>(learner.updates()));
  stats.set(stat::kReady, 1);
  std::cerr << "learner " << rank << "/" << o.world_size << ": " << o.env_id << ", " << learner.arch()
            << ", batch " << o.batch_size << " on " << device << " (group: " << group.backend_name()
            << (o.world_size > 1 ? ", collective timeout " + std::to_string(kCollectiveTimeout.count()) + " s"
                                 : std::string())
            << "), " << (reader.prioritized() ? "prioritized" : "uniform") << " replay\n";

  // CPU batches are views of their slots: the one in training plus `depth` waiting must leave a
  // slot for the service to fill.
  const int depth = device.is_cuda() ? 2 : std::max(1, o.batch_slots - 2);
  BatchPrefetcher prefetch(reader, schema, device, depth);
  std::vector<float> prio;
  auto last_ckpt = Clock::now(), window_start = Clock::now();
  uint64_t window_updates = learner.updates(), dropped = 0;
  // An update's loss, norm and TD errors reach the host asynchronously: they are read (priorities,
  // stats) after the next update has been queued, so the device never waits for the host.
  struct Pending {
    StepResult result;
    std::vector<uint64_t> keys;
  };
  std::optional<Pending> pending;
  using LS = stages::Learner;
  auto report = [&](const Pending& p) {
    const auto td = p.result.td_abs();
    if (priorities) {
      prio.assign(td.data_ptr<float>(), td.data_ptr<float>() + td.numel());
      for (float& x : prio) x += static_cast<float>(o.priority_epsilon);
      const std::size_t sent = priorities->push(p.keys, prio, deadline_in(1s));
      dropped += p.keys.size() - sent;
      stats.set(stat::kPriorityDropped, static_cast<double>(dropped));
    }
    stats.set(stat::kLoss, p.result.loss());
    stats.set(stat::kMeanAbsTd, td.mean().item<double>());
    stats.set(stat::kGradNorm, p.result.grad_norm());
    clock.lap(LS::Priorities);
  };
  clock.restart();  // the stages count the training loop, not start-up
  for (;;) {
    if (args.max_updates > 0 && learner.updates() >= args.max_updates) break;  // lockstep: all ranks
    if (stop_requested() && o.world_size == 1) break;
    auto b = prefetch.next(deadline_in(100ms));
    clock.lap(LS::BatchWait);
    stats.set(stat::kSampleWaitS, prefetch.wait_seconds());
    clock.publish();
    if (!b) {
      if (stop_requested()) {
        learner.stop_round();  // the other ranks are (or will be) in this round
        break;
      }
      continue;
    }
    StepResult r = learner.step(b->batch, stop_requested());
    clock.lap(LS::Optimizer);
    if (!r.applied) {
      prefetch.done(*b);
      break;
    }
    if (pending) report(*pending);
    pending = Pending{std::move(r), std::move(b->keys)};
    prefetch.done(*b);

    const uint64_t u = learner.updates();
    stats.set(stat::kUpdates, static_cast<double>(u));
    const auto now = Clock::now();
    if (const double dt = std::chrono::duration<double>(now - window_start).count(); dt >= 1.0) {
      stats.set(stat::kUpdatesPerS, static_cast<double>(u - window_updates) / dt);
      window_start = now;
      window_updates = u;
    }
    if (publisher && u % static_cast<uint64_t>(o.publish_period) == 0)
      stats.set(stat::kWeightVersion, static_cast<double>(publisher->publish(learner.policy(), u)));
    clock.lap(LS::Publish);
    if (rank == 0 && std::chrono::duration<double>(now - last_ckpt).count() >= o.checkpoint_period_s) {
      ckpt.write(learner, stats);
      last_ckpt = Clock::now();
      clock.lap(LS::Checkpoint);
    }
  }
  if (pending) report(*pending);
  clock.publish();
  if (rank == 0) {
    stats.set(stat::kWeightVersion,
              static_cast<double>(publisher->publish(learner.policy(), learner.updates())));
    ckpt.write(learner, stats);
  }
  std::cerr << "learner " << rank << ": stopped after " << learner.updates() << " updates"
            << (rank == 0 ? ", final checkpoint in " + ckpt.dir : std::string()) << "\n";
}
}  // namespace

int run_learner_process(const LearnerProcessArgs& args) {
  install_stop_handlers({SIGTERM, SIGINT});
  try {
    if (args.run_id.empty())
      throw std::invalid_argument("--run-id is required: a learner trains on a replay service's batches");
    if (args.owner_pid > 0) die_with_parent(SIGTERM, args.owner_pid);
    const RunContext run{args.run_id,
                         args.owner_pid > 0 ? ProcessId::of(args.owner_pid) : ProcessId::self(),
                         args.run_dir.empty() ? "." : args.run_dir};
    const LearnerOptions o = LearnerOptions::from_toml_file(args.config);
    if (args.rank < 0 || args.rank >= o.world_size)
      throw std::invalid_argument("--rank = " + std::to_string(args.rank) + ": must be in [0, run.learners = " +
                                  std::to_string(o.world_size) + ")");
    torch::set_num_threads(o.torch_threads);
    torch::manual_seed(o.seed);
    train(run, o, args);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    std::cerr << "shmrl learner: error: " << msg.substr(0, msg.find('\n')) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace shmrl::learner
