#include "actors/envs/gym_spaces.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace shmrl::envs {
namespace {

using nlohmann::json;

struct ProcessOutput {
  int status = -1;
  std::string out, err;
};

// Runs argv[0] with argv, collecting stdout and stderr; SIGKILLs it past the deadline.
ProcessOutput run_process(const std::vector<std::string>& args, std::chrono::seconds limit) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0) throw std::runtime_error("gym probe: pipe() failed");
  if (pipe(err_pipe) != 0) {
    close(out_pipe[0]), close(out_pipe[1]);
    throw std::runtime_error("gym probe: pipe() failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]), close(err_pipe[1]);
  ProcessOutput result;
  if (rc != 0) {
    close(out_pipe[0]), close(err_pipe[0]);
    throw std::invalid_argument("cannot run " + args[0] + " (" + std::strerror(rc) +
                                "); launch/setup creates that venv");
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  if (timed_out) kill(pid, SIGKILL);
  while (waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    throw std::invalid_argument("the gym probe (" + args[0] + ") did not finish within " +
                                std::to_string(limit.count()) + " s");
  return result;
}

float bound_value(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "inf") return std::numeric_limits<float>::infinity();
    if (s == "-inf") return -std::numeric_limits<float>::infinity();
    throw std::invalid_argument("gym probe: bad bound '" + s + "'");
  }
  return static_cast<float>(v.get<double>());
}

std::vector<float> bounds(const json& v, std::size_t n) {
  if (!v.is_array()) return std::vector<float>(n, bound_value(v));
  std::vector<float> out;
  for (const auto& x : v) out.push_back(bound_value(x));
  return out;
}

DType parse_dtype(const std::string& name, const std::string& what) {
  for (DType t : {DType::F32, DType::I32, DType::I64, DType::U8, DType::U32, DType::U64})
    if (dtype_name(t) == name) return t;
  if (name == "float64" || name == "float16") return DType::F32;
  throw std::invalid_argument(what + ": dtype " + name + " is not supported");
}

std::size_t numel(const std::vector<int64_t>& shape) {
  std::size_t n = 1;
  for (int64_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

// The schema's view of one described space (gym_spaces.h has the mapping).
Space to_space(const json& d, const std::string& id, bool action, DType* gym_dtype) {
  const std::string what = id + (action ? " action space" : " observation space");
  if (d.at("kind") == "discrete") {
    if (!action) throw std::invalid_argument(what + ": Discrete observations are not supported (need a Box)");
    return Space::discrete(d.at("n").get<int64_t>());
  }
  const auto shape = d.at("shape").get<std::vector<int64_t>>();
  const std::string dtype = d.at("dtype").get<std::string>();
  const DType t = parse_dtype(dtype, what);
  if (gym_dtype) *gym_dtype = t;
  if (action && dtype.rfind("float", 0) != 0)
    throw std::invalid_argument(what + ": a Box of " + dtype + " actions is not supported (float only)");
  const std::size_t n = numel(shape);
  const DType stored = !action && t == DType::U8 ? DType::U8 : DType::F32;
  return Space::box(shape, bounds(d.at("low"), n), bounds(d.at("high"), n), stored);
}

struct Resolved {
  std::string id, kwargs;
  GymSpaces spaces;
};

GymSpaces parse(const json& j, const std::string& id) {
  GymSpaces s;
  s.obs = to_space(j.at("obs"), id, false, &s.gym_obs_dtype);
  s.action = to_space(j.at("action"), id, true, nullptr);
  s.max_episode_steps = j.value("max_episode_steps", 0);
  return s;
}

std::mutex mu;
std::optional<Resolved> cache;

class GymSpacesEnv final : public Env {
 public:
  GymSpacesEnv(std::string id, GymSpaces s) : id_(std::move(id)), s_(std::move(s)) {}
  const Space& observation_space() const override { return s_.obs; }
  const Space& action_space() const override { return s_.action; }
  int max_episode_steps() const override { return s_.max_episode_steps; }
  void reset(uint64_t, std::byte*) override { refuse(); }
  StepResult step(const void*, std::byte*) override { refuse(); }
  std::vector<double> state() const override { refuse(); }
  void set_state(std::span<const double>, std::byte*) override { refuse(); }

 private:
  [[noreturn]] void refuse() const {
    throw std::logic_error(id_ + " steps only through the Python bridge in an actor process "
                           "(make_gym_vector_env); this process knows its spaces only");
  }
  std::string id_;
  GymSpaces s_;
};

}  // namespace

bool is_gym_id(std::string_view id) { return id.substr(0, kGymPrefix.size()) == kGymPrefix; }

std::string gym_python() {
#ifdef SHMRL_GYM_PYTHON
  return SHMRL_GYM_PYTHON;
#else
  return "";
#endif
}

std::string gym_module_dir() {
#ifdef SHMRL_GYM_MODULE_DIR
  return SHMRL_GYM_MODULE_DIR;
#else
  return "";
#endif
}

std::string kwargs_json(const EnvKwargs& kwargs) { return json(kwargs).dump(); }

GymSpaces resolve_gym_spaces(const std::string& id, const EnvKwargs& kwargs, const std::string& python_modules) {
  if (!is_gym_id(id)) throw std::invalid_argument("'" + id + "' is not a gym: id");
  const std::string gym_id = id.substr(kGymPrefix.size());
  const std::string kw = kwargs_json(kwargs);
  std::lock_guard lock(mu);
  if (cache && cache->id == id && cache->kwargs == kw) return cache->spaces;
  if (const char* inherited = std::getenv(kGymSpacesVariable)) {
    const json j = json::parse(inherited, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.value("id", "") == id && j.value("kwargs", "") == kw) {
      cache = Resolved{id, kw, parse(j, id)};
      return cache->spaces;
    }
  }
  const std::string python = gym_python();
  if (python.empty() || access(python.c_str(), X_OK) != 0)
    throw std::invalid_argument(id + ": no Python for gym: envs (looked for '" + python +
                                "'); run launch/setup, which installs gymnasium into its venv");
  const ProcessOutput p = run_process(
      {python, gym_module_dir() + "/shmrl_gym.py", "probe", gym_id, kw, python_modules},
      std::chrono::seconds(120));
  if (!WIFEXITED(p.status) || WEXITSTATUS(p.status) != 0) {
    std::string err = p.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    // A user error is one line; anything else (a traceback) is shown whole.
    throw std::invalid_argument(id + ": " + (err.empty() ? "the gym probe failed" : err));
  }
  // The spaces are the last line (an import may print a banner first).
  std::string out = p.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const std::size_t nl = out.rfind('\n');
  json j = json::parse(nl == std::string::npos ? out : out.substr(nl + 1), nullptr, false);
  if (!j.is_object()) throw std::invalid_argument(id + ": the gym probe printed no spaces: " + p.out);
  cache = Resolved{id, kw, parse(j, id)};
  j["id"] = id;
  j["kwargs"] = kw;
  setenv(kGymSpacesVariable, j.dump().c_str(), 1);
  return cache->spaces;
}

std::unique_ptr<Env> make_gym_spaces_env(const std::string& id, const EnvKwargs& kwargs) {
  return std::make_unique<GymSpacesEnv>(id, resolve_gym_spaces(id, kwargs));
}

}  // namespace shmrl::envs
