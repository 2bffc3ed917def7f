// `shmrl bench learner [--json]`: learner updates per second on the available device, for
//   mlp  DQN, the MLP Q-network (QNet, hidden = [128, 128], dueling) on CartPole observations,
//        batch 512 and 256 (--batch)
//   cnn  DQN, the Nature CNN (dueling) on 84x84x4 uint8 frames, 18 actions, batch 512 and 256
//   sac  SAC, 256-256 actor and twin critics on Pendulum's spaces, batch 256 (--ac-batch)
//   td3  TD3, the same networks and batch (an update is a critic update; the actor every 2nd)
// Two sources per model:
//   device  the batch already on the device: the update alone (forward, double-DQN targets,
//           backward, clipping, Adam)
//   slots   batches taken from real shared-memory batch slots through the learner's prefetch thread
//           (zero-copy on CPU; straight from the page-locked slots on CUDA), refilled by a thread
//           standing in for the replay service (it republishes already written slots)
// The loop is the learner process's: each update's results (loss, norm, TD errors) are read after
// the next update was queued; the device is synchronised only at the end of a row. On CUDA the
// learner process's cuDNN benchmark mode and TF32 are on.
// --profile adds to each "device" row where an update's time goes (op_profile.h): operator calls
// per update, the share of the wall time inside them and the costliest top-level ops.
// Output: {"learner": [{"algorithm": "dqn", "model": "mlp", "network": "...", "device": "cpu",
//          "batch": 512, "source": "device",
//          "updates_per_s": ..., "host_syncs_per_update": ... (CUDA), "batch_wait_share": ...
//          (slots: share of the time the training thread waited for a batch)}, ...]}.
// host_syncs_per_update = the read of the previous update's results (one event wait, normally
// already complete) + every synchronising CUDA call LibTorch's sync-debug mode reports.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <thread>

#include <c10/util/Exception.h>

#include "bench/benches.h"
#include "bench/op_profile.h"
#include "common/schema.h"
#include "common/shm/segment.h"
#include "learner/cuda_plugin.h"
#include "learner/device.h"
#include "learner/dqn.h"
#include "learner/options.h"
#include "learner/prefetch.h"
#include "learner/sac.h"
#include "learner/td3.h"
#include "models/nature_cnn.h"
#include "models/q_model.h"
#include "replay/batch_writer.h"

namespace shmrl::bench {
namespace {
using namespace std::chrono_literals;
using learner::Batch;
using learner::DqnLearner;
using learner::Learner;

struct Args {
  bool json = false;
  std::vector<int64_t> batches{512, 256};  // DQN rows
  std::vector<int64_t> ac_batches{256};     // SAC and TD3 rows
  bool profile = false;
  double seconds = 3.0;   // per row (at least min_updates updates)
  int min_updates = 3;
  std::string device = "auto";
  std::string models = "mlp,cnn,sac,td3";
  int threads = 1;        // torch intra-op threads (the learner's default, learner.torch_threads)
};

struct Model {
  std::string name, algorithm, network;
  Space obs, action;
  std::vector<int64_t> batches;
  std::function<std::unique_ptr<Learner>(torch::Device)> make;
};

std::vector<Model> models(const Args& a) {
  std::vector<Model> out;
  auto dqn = [](models::QModelFactory f) {
    return [f](torch::Device d) {
      return std::make_unique<DqnLearner>(f, learner::LearnerOptions::defaults().dqn_options(), d);
    };
  };
  if (a.models.find("mlp") != std::string::npos) {
    auto obs = Space::box({4}, std::vector<float>(4, -1e9f), std::vector<float>(4, 1e9f));
    auto act = Space::discrete(2);
    out.push_back({"mlp", "dqn", "128-128 dueling Q-MLP (CartPole)", obs, act, a.batches,
                   dqn(models::qnet_factory(models::qnet_options_for(obs, act, {128, 128}, true)))});
  }
  if (a.models.find("cnn") != std::string::npos) {
    auto obs = Space::box({4, 84, 84}, std::vector<float>(4 * 84 * 84, 0.0f),
                          std::vector<float>(4 * 84 * 84, 255.0f), DType::U8);
    models::NatureCnnOptions o;
    o.in_channels = 4;
    o.num_actions = 18;
    out.push_back({"cnn", "dqn", "Nature CNN 84x84x4, dueling", obs, Space::discrete(18), a.batches,
                   dqn(models::nature_cnn_factory(o))});
  }
  // Pendulum's spaces: 3 observations, one action in [-2, 2].
  const auto obs = Space::box({3}, std::vector<float>(3, -8.0f), std::vector<float>(3, 8.0f));
  const auto act = Space::box({1}, {-2.0f}, {2.0f});
  const auto net = models::actor_net_options_for(obs, act, {256, 256});
  const std::string network = "256-256 actor + twin 256-256 critics (Pendulum)";
  if (a.models.find("sac") != std::string::npos)
    out.push_back({"sac", "sac", network, obs, act, a.ac_batches, [net](torch::Device d) {
                     return std::make_unique<learner::SacLearner>(
                         net, learner::LearnerOptions::defaults().actor_critic_options(), d);
                   }});
  if (a.models.find("td3") != std::string::npos)
    out.push_back({"td3", "td3", network, obs, act, a.ac_batches, [net](torch::Device d) {
                     return std::make_unique<learner::Td3Learner>(
                         net, learner::LearnerOptions::defaults().actor_critic_options(), d);
                   }});
  return out;
}

void sync(torch::Device d) {
  if (d.is_cuda()) torch::cuda::synchronize(d.index());
}

// Counts the synchronising CUDA calls of this thread (LibTorch's sync-debug mode warns on each).
class SyncCounter : public c10::WarningHandler {
 public:
  explicit SyncCounter(torch::Device d) : on_(d.is_cuda()) {
    if (on_) learner::cuda_plugin()->set_sync_debug_warn(true);
  }
  ~SyncCounter() override {
    if (on_) learner::cuda_plugin()->set_sync_debug_warn(false);
  }
  void process(const c10::Warning& w) override {
    if (w.msg().find("synchroniz") != std::string::npos) ++count;
  }
  const bool on_;
  int64_t count = 0;
};

struct Measured {
  double updates_per_s = 0;
  std::optional<double> host_syncs_per_update;  // CUDA only
  double seconds = 0;
};

// Runs step(previous result) until `seconds` and `min_updates` are both reached. step() queues one
// update and then reads the previous one's results, as the learner process does.
template <class Step>
Measured measure(const Args& a, torch::Device device, Step step) {
  learner::StepResult previous;
  for (int i = 0; i < 2; ++i) previous = step(nullptr);  // warm-up: allocator, kernels, Adam state
  sync(device);
  SyncCounter syncs(device);
  c10::WarningUtils::WarningHandlerGuard guard(&syncs);
  const auto t0 = Clock::now();
  int n = 0;
  double dt = 0;
  do {
    previous = step(&previous);
    ++n;
    dt = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (dt < a.seconds || n < a.min_updates);
  const int64_t flagged = syncs.count;
  sync(device);
  dt = std::chrono::duration<double>(Clock::now() - t0).count();
  Measured m{n / dt, std::nullopt, dt};
  if (device.is_cuda()) m.host_syncs_per_update = 1.0 + static_cast<double>(flagged) / n;
  return m;
}

// What the learner process does with an update's results once it reads them.
double results_sink = 0;
void consume(const learner::StepResult* r) {
  if (r) results_sink += r->loss() + r->grad_norm() + r->td_abs()[0].item<double>();
}

// A batch of random records for `m` in the BatchLayout byte format, as a uint8 CPU tensor.
torch::Tensor random_batch_bytes(const Model& m, const BatchLayout& layout, const TransitionSchema& schema) {
  auto bytes = torch::empty({static_cast<int64_t>(layout.bytes())}, torch::kUInt8);
  auto weights = torch::rand({static_cast<int64_t>(layout.batch_size())});
  Batch b = learner::batch_from_bytes(bytes, layout, schema, weights);
  if (b.obs.scalar_type() == torch::kUInt8) {
    b.obs.copy_(torch::randint(0, 256, b.obs.sizes(), torch::kUInt8));
    b.next_obs.copy_(torch::randint(0, 256, b.next_obs.sizes(), torch::kUInt8));
  } else {
    b.obs.copy_(torch::randn(b.obs.sizes()));
    b.next_obs.copy_(torch::randn(b.next_obs.sizes()));
  }
  if (m.action.kind == Space::Kind::Discrete)
    b.action.copy_(torch::randint(0, m.action.n, b.action.sizes(), torch::kInt32));
  else
    b.action.copy_(torch::rand(b.action.sizes()) * 2 - 1);  // inside Pendulum's [-2, 2]
  b.reward.copy_(torch::randn(b.reward.sizes()));
  b.discount.fill_(0.97f);
  return bytes;
}

Measured bench_device(const Args& a, const Model& m, torch::Device device, int64_t batch, nlohmann::json& row) {
  TransitionSchema schema(m.obs, m.action);
  BatchLayout layout(schema, static_cast<std::size_t>(batch));
  auto bytes = random_batch_bytes(m, layout, schema).to(device);
  Batch b = learner::batch_from_bytes(bytes, layout, schema, torch::rand({batch}).to(device));
  auto l = m.make(device);
  const Measured out = measure(a, device, [&](const learner::StepResult* previous) {
    auto r = l->step(b);
    consume(previous);
    return r;
  });
  if (a.profile) {
    const OpProfile p = profile_ops([&] { l->step(b).loss(); },
                                    std::max(a.min_updates, static_cast<int>(out.updates_per_s)));
    nlohmann::json top = nlohmann::json::array();
    for (std::size_t i = 0; i < std::min<std::size_t>(8, p.top_us_per_update.size()); ++i)
      top.push_back({{"op", p.top_us_per_update[i].first}, {"us_per_update", p.top_us_per_update[i].second}});
    row["profile"] = {{"us_per_update", p.us_per_update}, {"ops_per_update", p.ops_per_update},
                      {"top_level_ops_per_update", p.top_ops_per_update},
                      {"us_per_op", p.us_per_update / p.ops_per_update},
                      {"share_inside_top_level_ops", p.top_op_share}, {"costliest_top_level_ops", top}};
  }
  return out;
}

Measured bench_slots(const Args& a, const Model& m, torch::Device device, int64_t batch_size,
                     double& wait_share) {
  TransitionSchema schema(m.obs, m.action);
  const auto batch = static_cast<std::size_t>(batch_size);
  BatchLayout layout(schema, batch);
  struct BenchRun {
    RunContext run{shm::new_run_id(), ProcessId::self(), "/tmp"};
    ~BenchRun() { shm::remove_run(run.run_id); }
  } br;
  constexpr std::size_t kSlots = 3;
  auto writer = replay::BatchWriter::open_or_create(br.run, 0, schema, batch, kSlots, false, 1);
  // Write every slot once; afterwards the service stand-in republishes them as they come back.
  auto bytes = random_batch_bytes(m, layout, schema);
  for (std::size_t i = 0; i < kSlots; ++i) {
    int s = writer.try_claim();
    std::memcpy(writer.batch(s), bytes.data_ptr(), layout.bytes());
    std::fill_n(writer.weights(s), batch, 1.0f);
    for (std::size_t r = 0; r < batch; ++r) writer.keys(s)[r] = r;
    writer.publish(s, 0.4, 1);
  }
  std::atomic<bool> stop{false};
  std::thread service([&] {
    Backoff backoff;
    while (!stop.load(std::memory_order_relaxed)) {
      int s = writer.try_claim();
      if (s < 0) {
        backoff.pause();
        continue;
      }
      backoff.reset();
      writer.publish(s, 0.4, 1);
    }
  });
  Measured out;
  {
    auto reader = replay::BatchReader::attach(br.run, 0, schema, batch, deadline_in(5s));
    learner::BatchPrefetcher prefetch(reader, schema, device, device.is_cuda() ? 2 : 1);
    auto l = m.make(device);
    double wait_before = 0;
    int calls = 0;
    out = measure(a, device, [&](const learner::StepResult* previous) {
      if (++calls == 3) wait_before = prefetch.wait_seconds();  // the first measured update
      auto b = prefetch.next(deadline_in(10s));
      if (!b) throw std::runtime_error("bench learner: no batch from the slots within 10 s");
      auto r = l->step(b->batch);
      consume(previous);
      prefetch.done(*b);
      return r;
    });
    wait_share = (prefetch.wait_seconds() - wait_before) / out.seconds;
  }
  stop = true;
  service.join();
  return out;
}

void run(const Args& a) {
  torch::set_num_threads(a.threads);
  torch::manual_seed(1);
  const torch::Device device = learner::resolve_device(a.device, 0);
  if (device.is_cuda()) learner::enable_fast_cuda_math();  // as the learner process
  const std::string dev = device.is_cuda() ? "cuda" : "cpu";
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& m : models(a)) {
    for (const int64_t batch : m.batches) {
      for (const std::string source : {"device", "slots"}) {
        double wait_share = 0;
        nlohmann::json row = {{"algorithm", m.algorithm}, {"model", m.name}, {"network", m.network},
                              {"device", dev},            {"batch", batch},  {"source", source}};
        const Measured r = source == "device" ? bench_device(a, m, device, batch, row)
                                              : bench_slots(a, m, device, batch, wait_share);
        row["updates_per_s"] = r.updates_per_s;
        if (r.host_syncs_per_update) row["host_syncs_per_update"] = *r.host_syncs_per_update;
        if (source == "slots") row["batch_wait_share"] = wait_share;
        rows.push_back(row);
        if (!a.json) {
          std::cout << m.algorithm << " " << m.name << " on " << dev << ", batch " << batch << ", from "
                    << source << ": " << r.updates_per_s << " updates/s\n";
          if (row.contains("profile")) std::cout << "  profile: " << row["profile"].dump() << "\n";
        }
      }
    }
  }
  if (a.json) std::cout << nlohmann::json{{"learner", rows}}.dump() << "\n";
}
}  // namespace

void add_learner_bench(CLI::App& bench) {
  auto* cmd = bench.add_subcommand(
      "learner", "Learner updates/s: DQN MLP and Nature CNN (batch 512, 256), SAC and TD3 256-256 (batch 256)");
  auto a = std::make_shared<Args>();
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->add_option("--batch", a->batches, "Batch sizes (one row each)")->default_str("512 256")->check(CLI::PositiveNumber);
  cmd->add_option("--ac-batch", a->ac_batches, "SAC and TD3 batch sizes")->default_str("256")->check(CLI::PositiveNumber);
  cmd->add_flag("--profile", a->profile, "Count and time the operator calls of each update (device rows)");
  cmd->add_option("--seconds", a->seconds, "Measuring time per row")->default_val(3.0);
  cmd->add_option("--min-updates", a->min_updates, "At least this many updates per row")->default_val(3);
  cmd->add_option("--device", a->device, "auto | cpu | cuda")->default_val("auto")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  cmd->add_option("--models", a->models, "Comma-separated subset of mlp,cnn,sac,td3")->default_val("mlp,cnn,sac,td3");
  cmd->add_option("--threads", a->threads, "Torch intra-op threads (as learner.torch_threads)")
      ->default_val(1)->check(CLI::PositiveNumber);
  cmd->callback([a] {
    try {
      run(*a);
    } catch (const std::exception& e) {
      std::cerr << "shmrl bench learner: error: " << e.what() << "\n";
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace shmrl::bench
