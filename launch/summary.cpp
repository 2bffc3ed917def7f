#include "launch/summary.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace shmrl::launch {

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
  j["actor_restarts"] = s.actor_restarts;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << j.dump(2) << "\n";
    if (!out.flush()) throw std::runtime_error("cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "'");
}

}  // namespace shmrl::launch
