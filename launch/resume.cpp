#include "launch/resume.h"

#include <toml++/toml.h>

#include <filesystem>

#include "common/config_schema.h"
#include "learner/options.h"
#include "learner/resume.h"
#include "models/q_model.h"

namespace shmrl::launch {
namespace {
// "hidden = [64, 64], dueling = true" for a QNet arch string (the arch itself for other networks).
std::string shape_text(const std::string& arch) {
  const auto q = models::parse_qnet_arch(arch);
  if (!q) return "'" + arch + "'";
  return "hidden = " + list_text(q->hidden) + ", dueling = " + (q->dueling ? "true" : "false");
}
}  // namespace

std::vector<std::string> prepare_resume(Config& config, const std::string& resume_dir) {
  std::vector<std::string> notes;
  const std::string dir = resume_dir + "/checkpoints";
  std::optional<learner::ResumePoint> point;
  try {
    point = learner::newest_readable_checkpoint(dir);
  } catch (const learner::CheckpointError& e) {
    throw ConfigError(std::string("--resume ") + resume_dir + ": " + e.what());
  }
  if (!point) throw ConfigError("--resume " + resume_dir + ": no learner checkpoint in " + dir);
  for (const auto& why : point->skipped) notes.push_back("skipping " + why + "; falling back to an older checkpoint");
  const learner::CheckpointMeta want =
      learner::checkpoint_meta(learner::LearnerOptions::from_toml(toml::parse(config.to_toml()), "config"));
  if (point->meta.env_id != want.env_id) {
    throw ConfigError("env.id = \"" + want.env_id + "\": the checkpoint " + point->path + " being resumed was trained on " +
                      point->meta.env_id + "; resume with env.id = \"" + point->meta.env_id + "\", or start a new run");
  }
  if (point->meta.arch != want.arch) {
    throw ConfigError("learner.algorithm = " + config.literal("learner.algorithm") +
                      ", learner.hidden = " + config.literal("learner.hidden") +
                      ", learner.dueling = " + config.literal("learner.dueling") + ": the checkpoint " + point->path +
                      " being resumed holds a network with " + shape_text(point->meta.arch) +
                      "; resume with that shape (drop the --set that changes it), or start a new run");
  }
  notes.push_back("resuming from " + point->path + " (" + std::to_string(point->counters.updates) + " updates)");
  const std::string replay_ckpt = dir + "/replay.ckpt";
  if (config.get_string("replay.restore_from").empty() && std::filesystem::exists(replay_ckpt))
    config.set("replay.restore_from", replay_ckpt);
  const std::string& restore = config.get_string("replay.restore_from");
  if (!restore.empty()) notes.push_back("restoring the replay buffer from " + restore);
  return notes;
}

}  // namespace shmrl::launch
