#include "launch/resources.h"

#include <fstream>
#include <sstream>

#include "actors/envs/gym_spaces.h"
#include "replay/options.h"

namespace shmrl::launch {
namespace {
std::string mib(std::size_t bytes) { return std::to_string((bytes + (std::size_t{1} << 19)) >> 20) + " MiB"; }
}  // namespace

std::size_t MemoryEstimate::total() const {
  return static_cast<std::size_t>(actors + evaluators) * sizes.actor + static_cast<std::size_t>(learners) * sizes.learner +
         sizes.replay + sizes.launcher + sizes.shared_code + shared_memory;
}

std::string MemoryEstimate::describe() const {
  std::ostringstream os;
  os << actors << " actors x " << mib(sizes.actor) << " + " << learners << " learner(s) x " << mib(sizes.learner)
     << (evaluators > 0 ? " + evaluator " + mib(sizes.actor) : "") << " + replay " << mib(sizes.replay) << " + launcher " << mib(sizes.launcher) << " + code "
     << mib(sizes.shared_code) << " + shared memory " << mib(shared_memory) << " = " << mib(total());
  return os.str();
}

MemoryEstimate estimate_memory(const Config& config, const TransitionSchema& schema) {
  MemoryEstimate e;
  e.actors = static_cast<int>(config.get_int("run.actors"));
  e.learners = static_cast<int>(config.get_int("run.learners"));
  e.evaluators = envs::is_gym_id(config.get_string("env.id")) ? 1 : 0;
  e.shared_memory = replay::parse_replay_options(config.to_toml()).segment_bytes(schema);
  return e;
}

std::optional<std::size_t> available_memory() {
  std::ifstream in("/proc/meminfo");
  for (std::string key; in >> key;) {
    std::size_t kib = 0;
    std::string unit;
    in >> kib >> unit;
    if (key == "MemAvailable:") return kib << 10;
  }
  return std::nullopt;
}

void check_memory(const Config& config, const TransitionSchema& schema) {
  const MemoryEstimate e = estimate_memory(config, schema);
  const int64_t budget_mb = config.get_int("run.memory_budget_mb");
  std::size_t budget = static_cast<std::size_t>(budget_mb) << 20;
  std::string what = "run.memory_budget_mb = " + std::to_string(budget_mb);
  if (budget_mb == 0) {
    const auto avail = available_memory();
    if (!avail) return;  // no /proc/meminfo: nothing to compare with
    budget = *avail;
    what = "the " + mib(budget) + " this machine has available (MemAvailable)";
  }
  if (e.total() <= budget) return;
  throw ConfigError("run.actors = " + std::to_string(e.actors) + ", run.learners = " + std::to_string(e.learners) +
                    ": the run needs about " + mib(e.total()) + " of memory (" + e.describe() + "), more than " +
                    what + "; lower run.actors (each actor process holds about " + mib(e.sizes.actor) +
                    ") or replay.capacity, or raise run.memory_budget_mb");
}

std::optional<std::string> cores_warning(const Config& config, unsigned cores) {
  const int64_t actors = config.get_int("run.actors");
  if (cores == 0 || actors <= 4 * static_cast<int64_t>(cores)) return std::nullopt;
  return "run.actors = " + std::to_string(actors) + " actor processes on " + std::to_string(cores) +
         " cores: they mostly wait for a CPU (and each holds its memory); more envs per actor "
         "(actor.envs_per_actor) gives the same data from fewer processes";
}

}  // namespace shmrl::launch
