// `shmrl bench actor [--env CartPole-v1] [--json]`: one actor process (the production Actor loop:
// E envs in lockstep, one batched LibTorch forward of a 64-64 dueling Q-MLP per vector step,
// epsilon-greedy, 3-step records packed into its shared-memory ring) drained by a consumer process.
// For each E: env steps per second over a timed window after a warm-up, wall clock, including any
// time the actor spent blocked on a full ring (reported as blocked_s). A Box-action env (MuJoCo)
// gets a 256-256 SAC actor instead of the Q-MLP. Beside each row: the same E envs stepped alone
// (random actions, no inference, no ring: env_only_steps_per_s), and for a MuJoCo env the bare
// mj_step rate of its model divided by its frame skip (physics_limit_steps_per_s): what the wrapper
// and the policy cost on top of the physics. For gym:<id> (the Python bridge) of a built-in id
// (gym:CartPole-v1), the built-in is measured beside each row (builtin_* fields); for any gym: id
// the Python vector env's own rate (ale-py's AtariVectorEnv for ALE/ ids) and the bridge's
// overhead over it (1 - env_only / python_vector_env).
// Also the actor process's private memory at the end of its window (common/proc.h memory_use,
// MiB); the bench's actor is a fork of `shmrl` (all of LibTorch), `shmrl train` forks the launcher.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "actors/actor.h"
#include "actors/envs/gym_spaces.h"
#include "actors/envs/registry.h"
#include "actors/vector_envs.h"
#ifdef SHMRL_HAVE_MUJOCO
#include "actors/envs/mujoco/mujoco_env.h"
#endif
#include "bench/benches.h"
#include "common/algorithm.h"
#include "common/proc.h"
#include "common/shm/rings.h"
#include "common/shm/segment.h"

namespace shmrl::bench {
namespace {

using namespace std::chrono_literals;

struct Args {
  bool json = false;
  std::string env = "CartPole-v1";
  std::vector<int> envs{1, 16, 64, 256};
  double seconds = 2.0;
  double warmup_s = 0.5;
  int torch_threads = 1;
};

struct Result {
  double env_steps_per_s = 0;
  double blocked_s = 0;
  double private_mb = 0, anonymous_mb = 0;
};

bool box_actions(const std::string& env_id) {
  return envs::make_env(env_id)->action_space().kind == Space::Kind::Box;
}

// What the actor's policy runs for env_id (learner.network = "auto" for DQN).
std::string model_name(const std::string& env_id) {
  if (box_actions(env_id)) return "256-256 SAC actor";
  const auto env = envs::make_env(env_id);
  return resolve_network("auto", env->observation_space()) == Network::NatureCnn ? "dueling Nature CNN"
                                                                                  : "64-64 dueling Q-MLP";
}

// Ring records for env_id's transitions: 65536, fewer for large records (Atari's 56 KB), so a ring
// stays within 64 MiB of /dev/shm.
uint32_t ring_records(const std::string& env_id) {
  const auto env = envs::make_env(env_id);
  const std::size_t bytes = TransitionSchema(env->observation_space(), env->action_space()).record_bytes();
  uint32_t n = 1 << 16;
  while (n > 64 && std::size_t{n} * bytes > (std::size_t{64} << 20)) n >>= 1;
  return n;
}

// E envs stepped in lockstep by this thread with pre-drawn uniform actions, reset when done: the
// env side of the actor loop alone (for a gym: id, the Python bridge's vector step). Env steps per
// second over `seconds`.
double env_only_rate(const std::string& env_id, int e, double seconds) {
  auto vec = actors::make_vector_env(env_id, {}, "", static_cast<std::size_t>(e));
  const Space& as = vec->action_space();
  std::vector<std::byte> obs(e * vec->observation_space().bytes());
  constexpr int kVectors = 64;  // vector actions, cycled through
  std::vector<std::vector<std::byte>> actions(kVectors, std::vector<std::byte>(e * as.bytes()));
  envs::Rng rng(3);
  for (auto& vector_action : actions) {
    for (int i = 0; i < e; ++i) {
      std::byte* a = vector_action.data() + i * as.bytes();
      if (as.kind == Space::Kind::Box) {
        std::vector<float> f(as.numel());
        for (std::size_t k = 0; k < f.size(); ++k) f[k] = float(rng.uniform(as.low[k], as.high[k]));
        std::memcpy(a, f.data(), as.bytes());
      } else {
        const auto n = static_cast<int32_t>(rng.uniform(0, double(as.n)));
        std::memcpy(a, &n, sizeof n);
      }
    }
  }
  std::vector<uint8_t> mask(e, 1);
  std::vector<uint64_t> seeds(e);
  for (int i = 0; i < e; ++i) seeds[i] = i;
  vec->reset(mask.data(), seeds.data(), obs.data());
  std::vector<envs::StepResult> results(e);
  uint64_t steps = 0, seed = e;
  const auto t0 = Clock::now();
  const auto until = t0 + std::chrono::duration<double>(seconds);
  for (uint64_t k = 0; Clock::now() < until; ++k, steps += e) {
    vec->step(actions[k % kVectors].data(), obs.data(), results.data());
    bool any = false;
    for (int i = 0; i < e; ++i) {
      mask[i] = results[i].terminated || results[i].truncated;
      if (mask[i]) seeds[i] = seed++, any = true;
    }
    if (any) vec->reset(mask.data(), seeds.data(), obs.data());
  }
  return double(steps) / std::chrono::duration<double>(Clock::now() - t0).count();
}

// The Python vector env's own rate for a gym: id (ale-py's AtariVectorEnv, gymnasium's
// SyncVectorEnv) with E envs: what the bridge's copies and calls add to; 0 for a built-in.
double native_rate(const std::string& env_id, int e, double seconds) {
  if (!envs::is_gym_id(env_id)) return 0;
  return actors::make_vector_env(env_id, {}, "", static_cast<std::size_t>(e))->native_steps_per_s(seconds);
}

// fn() in a forked child, its result through a pipe: a gym: env's interpreter never starts in this
// process, which forks the next measurement's actor.
double in_child(const std::function<double()>& fn) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("bench actor: pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    die_with_parent(SIGTERM);
    int rc = 1;
    try {
      const double v = fn();
      rc = ::write(fds[1], &v, sizeof v) == sizeof v ? 0 : 4;
    } catch (const std::exception& e) {
      std::cerr << "bench actor: " << e.what() << "\n";
    }
    ::_exit(rc);
  }
  ::close(fds[1]);
  double v = 0;
  const bool got = ::read(fds[0], &v, sizeof v) == sizeof v;
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("bench actor: the env-only measurement failed");
  return v;
}

// The bare physics rate of a MuJoCo env's model (mj_step calls per second) and its frame skip;
// {0, 0} for another env.
std::pair<double, int> physics_rate(const std::string& env_id, double seconds) {
#ifdef SHMRL_HAVE_MUJOCO
  auto env = envs::make_env(env_id);
  if (auto* m = dynamic_cast<envs::mujoco::MujocoEnv*>(env.get()))
    return {m->raw_mj_steps_per_second(seconds), m->frame_skip()};
#endif
  return {0.0, 0};
}

std::atomic<bool> g_stop{false};
void on_term(int) { g_stop.store(true); }

// Consumer process: drains actor 0's ring with zero-copy reads (checksums verified) until SIGTERM.
int drain(const RunContext& run) {
  struct sigaction sa {};
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, nullptr);
  auto r = shm::wait_for_ring(run, seg::actor_ring(0), "the bench actor", deadline_in(60s));
  r.ring.claim_consumer();
  Backoff backoff(std::chrono::microseconds(50));
  while (!g_stop.load(std::memory_order_relaxed)) {
    const auto span = r.ring.peek(4096);
    if (span.size() == 0) {
      if (r.ring.corrupt_records() > 0 || r.ring.skip_corrupt()) return 3;
      backoff.pause();
      continue;
    }
    backoff.reset();
    r.ring.release(span.size());
  }
  return 0;
}

// Actor process: warm-up, then the timed window; writes the Result to fd.
int act(const actors::ActorOptions& o, const RunContext& run, double warmup_s, double seconds,
        int fd) {
  std::atomic<bool> stop{false};
  actors::Actor actor(o, run, stop);
  const auto steps_during = [&](double s) {
    const uint64_t first = actor.env_steps();
    const auto t0 = Clock::now();
    const auto until = t0 + std::chrono::duration<double>(s);
    do {
      for (int i = 0; i < 16; ++i) actor.step();
    } while (Clock::now() < until);
    return std::pair{actor.env_steps() - first,
                     std::chrono::duration<double>(Clock::now() - t0).count()};
  };
  steps_during(warmup_s);
  const double blocked0 = actor.writer().blocked_seconds();
  const auto [steps, elapsed] = steps_during(seconds);
  Result res{double(steps) / elapsed, actor.writer().blocked_seconds() - blocked0};
  if (const auto m = memory_use(getpid())) {
    res.private_mb = static_cast<double>(m->private_bytes) / (1 << 20);
    res.anonymous_mb = static_cast<double>(m->anonymous) / (1 << 20);
  }
  return ::write(fd, &res, sizeof res) == sizeof res ? 0 : 4;
}

Result measure(const Args& a, const std::string& env_id, int envs) {
  const RunContext run{shm::new_run_id(), ProcessId::self(), "/tmp"};
  actors::ActorOptions o = actors::ActorOptions::defaults();
  o.env_id = env_id;
  o.envs_per_actor = envs;
  const bool sac = box_actions(env_id);
  o.hidden = sac ? std::vector<int64_t>{256, 256} : std::vector<int64_t>{64, 64};
  o.dueling = !sac;
  o.torch_threads = a.torch_threads;
  o.ring_capacity = ring_records(env_id);
  o.push_batch = 64;
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("bench actor: pipe failed");
  const pid_t consumer = ::fork();
  if (consumer == 0) {
    die_with_parent(SIGTERM);
    ::_exit(drain(run));
  }
  const pid_t actor = ::fork();
  if (actor == 0) {
    die_with_parent(SIGTERM);
    int rc = 1;
    try {
      rc = act(o, run, a.warmup_s, a.seconds, fds[1]);
    } catch (const std::exception& e) {
      std::cerr << "bench actor: " << e.what() << "\n";
    }
    ::_exit(rc);
  }
  ::close(fds[1]);
  Result res;
  const bool got = ::read(fds[0], &res, sizeof res) == sizeof res;
  ::close(fds[0]);
  int status = 0;
  ::waitpid(actor, &status, 0);
  ::kill(consumer, SIGTERM);
  int cstatus = 0;
  ::waitpid(consumer, &cstatus, 0);
  shm::remove_run(run.run_id);
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("bench actor: the actor process failed (E = " + std::to_string(envs) + ")");
  if (!WIFEXITED(cstatus) || WEXITSTATUS(cstatus) != 0)
    throw std::runtime_error("bench actor: the consumer process failed (E = " + std::to_string(envs) + ")");
  return res;
}

}  // namespace

void add_actor_bench(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("actor", "Actor env steps/s (policy inference + ring) per E");
  auto args = std::make_shared<Args>();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->add_option("--env", args->env, "Environment id")->capture_default_str();
  cmd->add_option("--envs", args->envs, "Values of E (envs per actor)")->capture_default_str();
  cmd->add_option("--seconds", args->seconds, "Timed window per E")->capture_default_str();
  cmd->add_option("--torch-threads", args->torch_threads, "Intra-op threads of the actor")
      ->capture_default_str();
  cmd->callback([args] {
    nlohmann::json rows = nlohmann::json::array();
    const auto [mj_steps_per_s, frame_skip] = physics_rate(args->env, args->seconds);
    const double physics_limit = frame_skip > 0 ? mj_steps_per_s / frame_skip : 0.0;
    // gym:<built-in id> (gym:CartPole-v1): the built-in measured beside it, in the same run.
    const std::string builtin = envs::is_gym_id(args->env) ? args->env.substr(envs::kGymPrefix.size()) : "";
    const auto ids = envs::registered_env_ids();
    const bool compare = !builtin.empty() && std::find(ids.begin(), ids.end(), builtin) != ids.end();
    for (int e : args->envs) {
      const Result r = measure(*args, args->env, e);
      const double env_only = in_child([&] { return env_only_rate(args->env, e, args->seconds); });
      nlohmann::json row{{"envs", e},
                         {"env_steps_per_s", r.env_steps_per_s},
                         {"blocked_s", r.blocked_s},
                         {"env_only_steps_per_s", env_only},
                         {"private_mb", r.private_mb},
                         {"anonymous_mb", r.anonymous_mb}};
      if (physics_limit > 0) row["physics_limit_steps_per_s"] = physics_limit;
      if (envs::is_gym_id(args->env)) {
        const double native = in_child([&] { return native_rate(args->env, e, args->seconds); });
        row["python_vector_env_steps_per_s"] = native;
        row["bridge_overhead"] = 1.0 - env_only / native;
        if (!args->json)
          std::cout << "E = " << e << ": the Python vector env alone " << native << " steps/s (bridge overhead "
                    << 100 * (1.0 - env_only / native) << " %)" << std::endl;
      }
      if (compare) {
        row["builtin_env_steps_per_s"] = measure(*args, builtin, e).env_steps_per_s;
        row["builtin_env_only_steps_per_s"] = in_child([&] { return env_only_rate(builtin, e, args->seconds); });
        if (!args->json)
          std::cout << "E = " << e << ": built-in " << builtin << " " << row["builtin_env_steps_per_s"]
                    << " env steps/s; envs alone " << row["builtin_env_only_steps_per_s"] << " steps/s" << std::endl;
      }
      rows.push_back(row);
      if (!args->json)
        std::cout << "E = " << e << ": " << r.env_steps_per_s << " env steps/s (blocked "
                  << r.blocked_s << " s); envs alone " << env_only << " steps/s; private memory "
                  << r.private_mb << " MiB (anonymous " << r.anonymous_mb << " MiB)" << std::endl;
    }
    nlohmann::json out{{"actor", rows}, {"env", args->env},
                       {"model", model_name(args->env)},
                       {"seconds_per_point", args->seconds}};
    if (physics_limit > 0) {
      out["mj_step_per_s"] = mj_steps_per_s;
      out["frame_skip"] = frame_skip;
      if (!args->json)
        std::cout << "bare mj_step: " << mj_steps_per_s << "/s, frame skip " << frame_skip
                  << ": at most " << physics_limit << " env steps/s" << std::endl;
    }
    if (args->json) std::cout << out.dump(2) << std::endl;
  });
}

}  // namespace shmrl::bench
