#include "launch/train_options.h"

#include <filesystem>
#include <stdexcept>

#include "common/config_schema.h"

namespace shmrl::launch {

const std::vector<std::pair<std::string, std::string>>& common_flags() {
  static const std::vector<std::pair<std::string, std::string>> flags = {
      {"--env", "env.id"},
      {"--actors", "run.actors"},
      {"--learners", "run.learners"},
      {"--envs-per-actor", "actor.envs_per_actor"},
      {"--target-return", "run.target_return"},
      {"--time-limit", "run.time_limit_s"},
      {"--max-env-steps", "run.max_env_steps"},
      {"--seed", "run.seed"},
      {"--device", "run.device"},
      {"--run-dir", "run.run_dir"},
  };
  return flags;
}

std::string default_config_path() {
  namespace fs = std::filesystem;
  if (fs::exists("configs/cartpole.toml")) return "configs/cartpole.toml";
#ifdef SHMRL_SOURCE_DIR
  if (fs::exists(SHMRL_SOURCE_DIR "/configs/cartpole.toml")) return SHMRL_SOURCE_DIR "/configs/cartpole.toml";
#endif
  return "";
}

std::string config_keys_help() {
  const Config d = Config::defaults();
  std::string out =
      "\nConfiguration keys (set with --set section.key=value; the defaults are those of "
      "configs/cartpole.toml):\n";
  for (const auto& s : schema()) {
    std::string head = "  " + std::string(s.key) + " = " + d.literal(s.key);
    if (head.size() < 44) head.resize(44, ' ');
    out += head + " " + std::string(s.doc) + "; " + allowed_text(s) + "\n";
  }
  return out;
}

void add_train_options(CLI::App& cmd, TrainArgs& args) {
  const Config d = Config::defaults();
  cmd.add_option("--config", args.config_path, "TOML configuration file (default: configs/cartpole.toml)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--set", args.sets, "Override one key: section.key=value (repeatable); keys listed below")
      ->allow_extra_args(false);
  for (const auto& [flag, key] : common_flags()) {
    const KeySpec& s = *find_key(key);
    auto* opt = cmd.add_option_function<std::string>(
        flag, [&args, key = key](const std::string& v) { args.flags.emplace_back(key, v); },
        std::string(s.doc) + " (= --set " + key + "=..., default " + d.literal(key) + ")");
    opt->type_name(s.type == KeyType::String ? "TEXT" : "NUM");
    opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // a later flag overrides, as in scripts
  }
  cmd.add_option("--resume", args.resume,
                 "Continue the run in this directory (runs/<run-id>) from its latest checkpoint, "
                 "with its config.toml as the base config")
      ->check(CLI::ExistingDirectory);
  cmd.add_option("--run-id", args.run_id,
                 "Name the run (letters, digits, '-'); default: date-time-pid-random");
  cmd.footer([] { return config_keys_help(); });
}

Config build_config(const TrainArgs& args) {
  std::string base = args.config_path;
  if (base.empty() && !args.resume.empty()) base = args.resume + "/config.toml";
  if (base.empty()) base = default_config_path();
  Config c = base.empty() ? Config::defaults() : Config::load(base);
  for (const auto& s : args.sets) {
    try {
      c.set(s);
    } catch (const ConfigError& e) {
      throw ConfigError("--set " + s + ": " + e.what());
    }
  }
  for (const auto& [key, value] : args.flags) {
    std::string flag;
    for (const auto& [f, k] : common_flags()) {
      if (k == key) flag = f;
    }
    try {
      c.set(key, value);
    } catch (const ConfigError& e) {
      throw ConfigError(flag + " " + value + ": " + e.what());
    }
  }
  return c;
}

}  // namespace shmrl::launch
