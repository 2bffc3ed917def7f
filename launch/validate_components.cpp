#include "launch/validate_components.h"

#include <torch/cuda.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "actors/envs/gym_spaces.h"
#include "actors/envs/registry.h"
#include "actors/options.h"
#include "common/algorithm.h"
#include "common/schema.h"
#include "learner/device.h"
#include "learner/options.h"
#include "replay/options.h"

namespace shmrl::launch {
namespace {
// The resolved config in a private temporary file, for the parsers that read a path; removed
// at scope exit.
class TempConfigFile {
 public:
  explicit TempConfigFile(const std::string& text) {
    char tmpl[] = "/tmp/shmrl-config-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) throw std::runtime_error("cannot create a temporary config file in /tmp");
    close(fd);
    path_ = tmpl;
    std::ofstream(path_) << text;
  }
  ~TempConfigFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs one component's check; its std::invalid_argument message joins `errors`. The message of a
// parser reading the temporary file starts with that file's path: the user never saw it.
template <class F>
void component(const std::string& tmp_path, std::string& errors, F&& check) {
  try {
    check();
  } catch (const std::invalid_argument& e) {
    std::string msg = e.what();
    if (msg.rfind(tmp_path + ": ", 0) == 0) msg = msg.substr(tmp_path.size() + 2);
    errors += (errors.empty() ? "" : "\n") + msg;
  }
}
}  // namespace

TransitionSchema validate_components(const Config& config) {
  const std::string text = config.to_toml();
  TempConfigFile file(text);
  const std::string& env_id = config.get_string("env.id");
  std::unique_ptr<envs::Env> env;
  try {
    // The env's constructor rejects unknown or malformed env.kwargs here, before any process starts.
    // A gym: env is probed once (a short-lived python) and its spaces passed on to every child.
    if (envs::is_gym_id(env_id))
      envs::resolve_gym_spaces(env_id, config.get_string_map("env.kwargs"),
                               config.get_string("env.python_modules"));
    env = envs::make_env(env_id, config.get_string_map("env.kwargs"));
  } catch (const std::invalid_argument& e) {
    const std::string kwargs = config.literal("env.kwargs");
    throw ConfigError("env.id = \"" + env_id + "\"" + (kwargs == "{}" ? "" : ", env.kwargs = " + kwargs) +
                      ": " + e.what());
  }
  const TransitionSchema schema(env->observation_space(), env->action_space());
  try {
    resolve_algorithm(config.get_string("learner.algorithm"), env->action_space());
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string(e.what()) + " (env.id = \"" + env_id + "\")");
  }
  std::string errors;
  component(file.path(), errors,
            [&] { replay::parse_replay_options(text).validate_for(schema); });
  component(file.path(), errors, [&] { actors::ActorOptions::from_toml_file(file.path()); });
  component(file.path(), errors, [&] { learner::LearnerOptions::from_toml_file(file.path()); });
  if (!errors.empty()) throw ConfigError(errors);
  const std::string& device = config.get_string("run.device");
  const bool cuda = torch::cuda::is_available();
  if (device == "cuda" && !cuda)
    throw ConfigError("run.device = \"cuda\": no CUDA device is available here; use \"auto\" or \"cpu\"");
  try {
    learner::check_learners_fit_gpus(device, static_cast<int>(config.get_int("run.learners")),
                                     cuda ? static_cast<int>(torch::cuda::device_count()) : 0);
  } catch (const std::runtime_error& e) {
    throw ConfigError(e.what());
  }
  return schema;
}

}  // namespace shmrl::launch
