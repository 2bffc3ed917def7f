#include "launch/summary.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace shmrl::launch {

namespace {
nlohmann::ordered_json seconds_or_null(double s) {
  return std::isnan(s) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

std::string fmt_s(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return std::isnan(s) ? "-" : buf;
}
}  // namespace

std::string StartupTimes::describe() const {
  return "launcher main " + fmt_s(launcher_main_s) + ", children spawned " + fmt_s(spawn_s) + "; ready: replay " +
         fmt_s(replay_ready_s) + ", learners " + fmt_s(learners_ready_s) + ", actors " + fmt_s(actors_ready_s);
}

void write_summary(const std::string& path, const RunSummary& s) {
  nlohmann::ordered_json j;
  j["env"] = s.env;
  j["solved"] = s.solved;
  j["wall_seconds"] = s.wall_seconds;
  j["env_steps"] = static_cast<uint64_t>(s.env_steps);
  j["updates"] = static_cast<uint64_t>(s.updates);
  j["eval_return"] =
      std::isnan(s.eval_return) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.eval_return);
  j["seed"] = s.seed;
  j["run_id"] = s.run_id;
  j["stop_reason"] = s.stop_reason;
  j["actor_restarts"] = s.restarts.actor;
  j["restarts"] = {{"actor", s.restarts.actor}, {"replay", s.restarts.replay}, {"learner", s.restarts.learner}};
  if (s.transitions) {
    const auto& t = *s.transitions;
    j["transitions"] = {{"committed", t.committed}, {"stored", t.stored},     {"dropped", t.dropped},
                        {"in_rings", t.in_rings},   {"skipped", t.skipped},   {"lost", t.lost},
                        {"replay_generation", t.replay_generation}, {"corrupt_stored", t.corrupt_stored}};
  } else {
    j["transitions"] = nullptr;
  }
  j["eval_episodes"] = s.eval_episodes;
  j["confirm_evals"] = s.confirm_evals;
  j["claim"] = s.eval_episodes < kStrongClaimEpisodes ? "weak" : "ok";
  if (s.solve) {
    j["solve"] = {{"wall_seconds", s.solve->wall_seconds},
                  {"env_steps", static_cast<uint64_t>(s.solve->env_steps)},
                  {"weight_version", s.solve->weight_version},
                  {"checkpoint", s.solve->checkpoint}};
  } else {
    j["solve"] = nullptr;
  }
  j["evaluations"] = nlohmann::ordered_json::array();
  for (const EvalRecord& e : s.evaluations) {
    j["evaluations"].push_back({{"time_s", e.stats.start_s},
                                {"env_steps", static_cast<uint64_t>(e.stats.start_env_steps)},
                                {"weight_version", e.stats.weight_version},
                                {"seed", e.stats.seed},
                                {"episodes", e.stats.episodes},
                                {"mean", e.stats.mean},
                                {"std", e.stats.std},
                                {"confirmation", e.stats.confirmation},
                                {"after_stop", e.after_stop}});
  }
  j["evaluations_total"] = std::max<uint64_t>(s.evaluations_total, s.evaluations.size());
  j["evaluations_file"] = kEvaluationsFile;
  nlohmann::ordered_json stages = nlohmann::ordered_json::object();
  const auto names = stage_columns();
  const auto values = stage_values(s.stages);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (!std::isnan(values[i])) stages[names[i]] = values[i];
  auto or_null = [](const std::string& v) { return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v); };
  j["bottleneck"] = {{"verdict", or_null(s.verdict.bound)},
                     {"reason", or_null(s.verdict.reason)},
                     {"knob", or_null(s.verdict.knob)},
                     {"stages", stages}};
  j["memory_mb"] = nlohmann::ordered_json::object();
  for (const auto& [role, m] : s.memory)
    j["memory_mb"][role] = {{"private", m.private_mb}, {"anonymous", m.anonymous_mb}};
  j["startup"] = {{"launcher_main_s", seconds_or_null(s.startup.launcher_main_s)},
                  {"spawn_s", seconds_or_null(s.startup.spawn_s)},
                  {"replay_ready_s", seconds_or_null(s.startup.replay_ready_s)},
                  {"learners_ready_s", seconds_or_null(s.startup.learners_ready_s)},
                  {"actors_ready_s", seconds_or_null(s.startup.actors_ready_s)},
                  {"all_ready_s", seconds_or_null(s.startup.all_ready_s)}};
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << j.dump(2) << "\n";
    if (!out.flush()) throw std::runtime_error("cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "'");
}

void append_evaluation_csv(const std::string& path, const EvalRecord& e) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) throw std::runtime_error("cannot append to " + path + ": " + std::strerror(errno));
  const EvalStats& r = e.stats;
  const bool ok =
      (std::fseek(f, 0, SEEK_END) == 0 && std::ftell(f) > 0 ||
       std::fputs("time_s,env_steps,weight_version,seed,episodes,mean,std,min,max,confirmation,after_stop\n", f) >= 0) &&
      std::fprintf(f, "%.3f,%.0f,%llu,%llu,%d,%.6g,%.6g,%.6g,%.6g,%d,%d\n", r.start_s, r.start_env_steps,
                   static_cast<unsigned long long>(r.weight_version), static_cast<unsigned long long>(r.seed),
                   r.episodes, r.mean, r.std, r.min, r.max, r.confirmation ? 1 : 0, e.after_stop ? 1 : 0) > 0;
  if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot append to " + path + ": " + std::strerror(errno));
}

}  // namespace shmrl::launch
