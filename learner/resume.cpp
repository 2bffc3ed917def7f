#include "learner/resume.h"

#include "actors/envs/registry.h"
#include "learner/algorithm.h"

namespace shmrl::learner {

CheckpointMeta checkpoint_meta(const LearnerOptions& o) {
  auto probe = envs::make_env(o.env_id, o.env_kwargs);
  return {o.env_id, algorithm_arch(o, probe->observation_space(), probe->action_space()), o.env_kwargs};
}

std::optional<ResumePoint> newest_readable_checkpoint(const std::string& dir) {
  const auto all = checkpoints_newest_first(dir);
  if (all.empty()) return std::nullopt;
  ResumePoint p;
  for (const auto& path : all) {
    try {
      auto [meta, counters] = peek_checkpoint(path);
      p.path = path;
      p.meta = std::move(meta);
      p.counters = counters;
      return p;
    } catch (const CheckpointError& e) {
      p.skipped.push_back(e.what());
    }
  }
  std::string why;
  for (const auto& s : p.skipped) why += "\n  " + s;
  throw CheckpointError("no checkpoint in " + dir + " opens:" + why);
}

}  // namespace shmrl::learner
