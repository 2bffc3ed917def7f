#include "launch/run_dir.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "common/shm/segment.h"

namespace shmrl::launch {
namespace fs = std::filesystem;

bool valid_run_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

RunDir prepare_run_dir(const Config& config, const std::string& run_id, const std::string& resume) {
  RunDir r;
  if (!resume.empty()) {
    fs::path dir = fs::absolute(resume).lexically_normal();
    if (dir.filename().empty()) dir = dir.parent_path();
    if (!fs::is_directory(dir)) throw ConfigError("--resume " + resume + ": not a directory");
    r.run_id = dir.filename().string();
    if (!run_id.empty() && run_id != r.run_id) {
      throw ConfigError("--run-id " + run_id + " disagrees with --resume " + resume + " (run id " + r.run_id +
                        ")");
    }
    r.dir = dir.string();
  } else {
    r.run_id = run_id.empty() ? shm::new_run_id() : run_id;
    r.dir = (fs::absolute(config.get_string("run.run_dir")) / r.run_id).lexically_normal().string();
    if (fs::exists(r.dir)) {
      throw ConfigError("run directory " + r.dir +
                        " already exists: choose another --run-id, or --resume it");
    }
  }
  if (!valid_run_id(r.run_id)) {
    throw ConfigError("run id '" + r.run_id +
                      "': only letters, digits and '-' are allowed (it names shared memory)");
  }
  // Called after remove_stale_segments(): whatever is left belongs to a live process.
  if (!shm::list_segments(r.run_id).empty()) {
    throw ConfigError("run " + r.run_id +
                      " is still running (its shared-memory segments belong to a live process)");
  }
  r.logs = r.dir + "/logs";
  r.checkpoints = r.dir + "/checkpoints";
  r.config = r.dir + "/config.toml";
  fs::create_directories(r.logs);
  fs::create_directories(r.checkpoints);
  const std::string tmp = r.config + ".tmp";
  {
    std::ofstream out(tmp);
    out << "# Resolved configuration of run " << r.run_id << " (what every process of the run reads).\n"
        << config.to_toml();
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), r.config.c_str()) != 0) throw std::runtime_error("cannot create " + r.config);
  return r;
}

}  // namespace shmrl::launch
