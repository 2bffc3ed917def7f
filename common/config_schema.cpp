// The table of every key: config_schema.h. The rules applied to values: config_rules.cpp.
#include "common/config_schema.h"

namespace shmrl {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxCount = 1e15;  // counts beyond this are typos, and exact in a double

// Row builders, so the table below reads as one line per key.
constexpr KeySpec integer(std::string_view key, std::string_view def, double lo, double hi,
                          std::string_view doc) {
  return {.key = key, .type = KeyType::Int, .def = def, .lo = lo, .hi = hi, .doc = doc};
}
constexpr KeySpec pow2(std::string_view key, std::string_view def, double lo, double hi,
                       std::string_view doc) {
  KeySpec s = integer(key, def, lo, hi, doc);
  s.power_of_two = true;
  return s;
}
constexpr KeySpec real(std::string_view key, std::string_view def, double lo, double hi,
                       std::string_view doc) {
  return {.key = key, .type = KeyType::Float, .def = def, .lo = lo, .hi = hi, .doc = doc};
}
// lo < v <= hi.
constexpr KeySpec real_above(std::string_view key, std::string_view def, double lo, double hi,
                             std::string_view doc) {
  KeySpec s = real(key, def, lo, hi, doc);
  s.lo_open = true;
  return s;
}
constexpr KeySpec real_or_inf(std::string_view key, std::string_view def, double lo, double hi,
                              std::string_view doc) {
  KeySpec s = real(key, def, lo, hi, doc);
  s.allow_inf = true;
  return s;
}
constexpr KeySpec int_list(std::string_view key, std::string_view def, double lo, double hi,
                           std::string_view doc) {
  return {.key = key, .type = KeyType::IntList, .def = def, .lo = lo, .hi = hi, .doc = doc};
}
constexpr KeySpec boolean(std::string_view key, std::string_view def, std::string_view doc) {
  return {.key = key, .type = KeyType::Bool, .def = def, .doc = doc};
}
// choices: "a|b|c", or "" for any non-empty string.
constexpr KeySpec text(std::string_view key, std::string_view def, std::string_view choices,
                       std::string_view doc) {
  return {.key = key, .type = KeyType::String, .def = def, .choices = choices, .doc = doc};
}
constexpr KeySpec text_or_empty(std::string_view key, std::string_view def, std::string_view choices,
                                std::string_view doc) {
  KeySpec s = text(key, def, choices, doc);
  s.allow_empty = true;
  return s;
}

constexpr KeySpec string_map(std::string_view key, std::string_view def, std::string_view doc) {
  return {.key = key, .type = KeyType::StringMap, .def = def, .doc = doc};
}

// One row per key. Ranges are what the processes can honour, not what is sensible to tune: tuning
// advice belongs in the docs. Sections: run (launcher), env, actor, replay, learner, eval.
// clang-format off
const KeySpec kSchema[] = {
    integer("run.seed", "1", 0, 4294967295.0,
            "base seed (actor i seeds its envs from seed and i)"),
    integer("run.actors", "2", 1, 1024,
            "actor processes"),
    integer("run.learners", "1", 1, 64,
            "learner processes (data-parallel; one per GPU when CUDA is used)"),
    text("run.device", "\"auto\"", "auto|cpu|cuda",
            "learner device: auto picks CUDA when available"),
    real("run.target_return", "475.0", -kInf, kInf,
            "stop when the greedy evaluation mean reaches this"),
    integer("run.confirm_evals", "1", 0, 100,
            "solved only when this many more evaluations of the passing weights, on fresh seeds, pass too"),
    real("run.time_limit_s", "600.0", 0, kInf,
            "stop after this much wall time (0 = none)"),
    integer("run.max_env_steps", "0", 0, kMaxCount,
            "stop after this many env steps, all actors together (0 = none)"),
    text("run.run_dir", "\"runs\"", "",
            "runs/<run-id>/ holds config, logs, metrics, checkpoints"),
    boolean("run.fork_start", "true",
            "on a machine without CUDA, children start as forks of the launcher (LibTorch loaded once); false = each execs its role's executable"),
    integer("run.restarts.actor", "3", 0, 1000,
            "restart budget per actor: crashes beyond it stop the run"),
    integer("run.restarts.replay", "5", 0, 1000,
            "restart budget of the replay service (it re-attaches its shared-memory storage and keeps every stored item)"),
    integer("run.restarts.evaluator", "3", 0, 1000,
            "restart budget of the evaluator process of gym: runs (their greedy evaluation): crashes beyond it stop the run"),
    integer("run.restarts.learner", "3", 0, 1000,
            "restart budget per learner (it continues from its newest checkpoint or the published weights, whichever is newer)"),
    real("run.restarts.backoff_s", "0.5", 0, 60,
            "a crashed process restarts after this delay, doubled for each further restart of the same process (at most 10 s)"),
    real("run.stall.warn_s", "10.0", 0, 1e6,
            "report a process whose stats have not changed for this long: alive but not running its loop (0 = never)"),
    real("run.stall.kill_s", "60.0", 0, 1e6,
            "kill such a process after this long, and restart it like a crash (0 = never)"),
    real_above("run.ready_timeout_s", "120.0", 0, 3600,
            "how long a child may take to publish its stats segment at start"),
    real_above("run.stop_grace_s", "8.0", 0, 9,
            "on stop, SIGKILL children still alive this long after SIGTERM"),
    integer("run.memory_budget_mb", "0", 0, 1e9,
            "refuse a run whose estimated memory (measured size per process x processes + shared "
            "memory) exceeds this many MiB (0 = the machine's MemAvailable)"),

    text("env.id", "\"CartPole-v1\"", "",
            "Gymnasium environment id: a built-in (CartPole-v1, ...) or gym:<id> for any Gymnasium env "
            "through the Python bridge (gym:ALE/Pong-v5, gym:MyEnv-v0)"),
    text_or_empty("env.python_modules", "\"\"", "",
            "gym: envs: comma-separated Python modules imported before gymnasium.make (a module "
            "that registers your env), found on PYTHONPATH, the working directory or the venv"),
    string_map("env.kwargs", "{}",
            "environment constructor arguments, e.g. { continuous = true, gravity = -9.0 }; "
            "--set env.kwargs.NAME=VALUE sets one"),

    integer("actor.envs_per_actor", "16", 1, 65536,
            "environments stepped in lockstep by each actor"),
    integer("actor.n_step", "10", 1, 1000,
            "n of the n-step returns"),
    real_above("actor.gamma", "0.99", 0, 1,
            "discount"),
    real("actor.epsilon_base", "0.4", 0, 1,
            "Ape-X: explorer i of N uses epsilon_base^(1 + epsilon_alpha * i / (N - 1))"),
    real("actor.epsilon_alpha", "7.0", 0, 1000,
            "Ape-X epsilon exponent spread"),
    boolean("actor.epsilon_per_env", "true",
            "Ape-X epsilons per env (index actor * E + e of N * E, as the paper), else per actor"),
    text("actor.initial_priority", "\"max\"", "max|actor",
            "priority of a new transition: the replay's running max, or |TD error| from the actor's network (Ape-X; DQN)"),
    integer("actor.weight_sync_steps", "2", 1, kMaxCount,
            "vector steps between weight-board checks"),
    integer("actor.push_batch", "64", 1, 1 << 30,
            "records per ring commit (<= ring_capacity)"),
    pow2("actor.ring_capacity", "4096", 2, 1 << 30,
            "records per actor ring"),
    integer("actor.torch_threads", "1", 1, 256,
            "intra-op threads of the actor's policy"),
    real("actor.noise_std", "0.1", 0, 1e6,
            "continuous actions: Gaussian exploration noise std, as a fraction of each action's half-range"),
    real_above("actor.noise_scale_min", "1.0", 0, 1,
            "SAC/TD3: actor i of N scales its exploration noise (TD3 noise, SAC policy std) by noise_scale_min^(i/(N-1))"),

    integer("replay.capacity", "50000", 1, 2147483648.0,
            "transitions kept (FIFO eviction)"),
    text("replay.selector", "\"prioritized\"", "prioritized|uniform",
            "sampling strategy"),
    real("replay.alpha", "0.6", 0, 10,
            "priority exponent"),
    real("replay.beta", "0.4", 0, 1,
            "initial importance-sampling exponent (annealed to 1)"),
    integer("replay.beta_anneal_samples", "2000000", 0, kMaxCount,
            "sampled transitions over which beta reaches 1"),
    integer("replay.min_size_to_sample", "2000", 1, 1e10,
            "no sampling below this many stored transitions"),
    real_above("replay.samples_per_insert", "8.0", 0, 1e6,
            "rate limiter: sampled per inserted transition"),
    real_or_inf("replay.error_buffer", "4000.0", 0, kInf,
            "rate limiter: allowed deviation from samples_per_insert, in samples (inf = min size only)"),
    integer("replay.batch_slots", "3", 2, 16,
            "shared-memory batch slots per learner (2 = double buffering)"),
    pow2("replay.priority_ring_capacity", "65536", 2, 1 << 30,
            "records per learner priority-update ring"),
    real_above("replay.initial_max_priority", "1.0", 0, 1e30,
            "priority of the first items inserted without one"),
    real("replay.checkpoint_period_s", "0.0", 0, 1e9,
            "seconds between replay checkpoints (0 = none)"),
    boolean("replay.checkpoint_on_exit", "true",
            "write a replay checkpoint at shutdown (checkpoints/replay.ckpt; --resume restores it)"),
    text_or_empty("replay.restore_from", "\"\"", "",
            "replay checkpoint loaded when no storage segment exists (\"\" = none)"),
    text("replay.storage", "\"auto\"", "auto|records|frames",
            "frames = each frame of uint8 frame stacks stored once (auto: for [k, 84, 84] uint8 observations)"),

    text("learner.algorithm", "\"auto\"", "auto|dqn|sac|td3",
            "auto = dqn for a Discrete action space, sac for a Box one"),
    integer("learner.batch_size", "128", 1, 1 << 20,
            "transitions per update"),
    int_list("learner.hidden", "[64, 64]", 1, 1 << 16,
            "MLP hidden layer sizes"),
    boolean("learner.dueling", "true", "dueling head"),
    text("learner.network", "\"auto\"", "auto|mlp|nature_cnn",
            "DQN's Q-network: auto = nature_cnn for uint8 [C, 84, 84] observations (Atari), else mlp"),
    boolean("learner.double_dqn", "true", "double DQN targets"),
    real_above("learner.lr", "0.01", 0, 10,
            "Adam learning rate"),
    real_above("learner.adam_eps", "1e-8", 0, 1,
            "Adam epsilon"),
    real_above("learner.grad_clip_norm", "10.0", 0, 1e12,
            "clip the global gradient norm to this"),
    integer("learner.target_update_period", "25", 0, kMaxCount,
            "updates between target refreshes (0 = Polyak with tau)"),
    real("learner.tau", "0.0", 0, 1,
            "Polyak rate, used when target_update_period = 0"),
    integer("learner.publish_period", "10", 1, kMaxCount,
            "updates between weight-board publications"),
    real_above("learner.checkpoint_period_s", "60.0", 0, 1e9,
            "seconds between checkpoints (one is also written at shutdown)"),
    integer("learner.torch_threads", "1", 1, 256,
            "intra-op threads of each learner"),
    text("learner.master_addr", "\"127.0.0.1\"", "",
            "rank 0's TCP store host (data-parallel learners)"),
    integer("learner.master_port", "0", 0, 65535,
            "its port (0 = the launcher picks a free one when run.learners > 1)"),
    real("learner.priority_epsilon", "1e-6", 0, 1e6,
            "added to |TD error| for replay priorities"),
    real_above("learner.huber_kappa", "1.0", 0, 1e12,
            "Huber loss threshold"),
    real_above("learner.actor_lr", "0.0003", 0, 10,
            "SAC/TD3: the actor's Adam learning rate (learner.lr is the critics')"),
    real_above("learner.alpha_lr", "0.0003", 0, 10,
            "SAC: the entropy temperature's Adam learning rate"),
    real_above("learner.critic_tau", "0.005", 0, 1,
            "SAC/TD3: Polyak rate of the target networks, every update (TD3: every policy_delay)"),
    real_above("learner.sac_alpha", "1.0", 0, 1e6,
            "SAC: initial entropy temperature (the fixed one when sac_auto_alpha = false)"),
    boolean("learner.sac_auto_alpha", "true",
            "SAC: tune the temperature towards the target entropy -|A|"),
    integer("learner.td3_policy_delay", "2", 1, 1000,
            "TD3: critic updates per actor and target update"),
    real("learner.td3_target_noise", "0.2", 0, 10,
            "TD3: target smoothing noise std, as a fraction of each action's half-range"),
    real("learner.td3_noise_clip", "0.5", 0, 10,
            "TD3: target smoothing noise clip, as a fraction of each action's half-range"),

    real_above("eval.period_s", "0.1", 0, 1e9,
            "seconds between greedy evaluations of the newest weights"),
    integer("eval.episodes", "20", 1, 100000,
            "episodes per evaluation"),
};
// clang-format on

}  // namespace

std::span<const KeySpec> schema() { return kSchema; }

const KeySpec* find_key(std::string_view key) {
  for (const auto& s : kSchema) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

}  // namespace shmrl
