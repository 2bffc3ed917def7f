#include "launch/sweep.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/stop_signal.h"
#include "launch/child.h"
#include "launch/config.h"
#include "launch/stages.h"

namespace shmrl::launch {
namespace {
namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Beyond its time limit a run gets this long for start-up, a final evaluation and its stop.
constexpr auto kRunSlack = std::chrono::seconds(120);
constexpr const char* kRoles[] = {"launcher", "replay", "learner", "actor"};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// metrics.csv as column -> values (empty cells NaN).
std::map<std::string, std::vector<double>> read_csv(const fs::path& p) {
  std::istringstream in(slurp(p));
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> names;
  for (std::stringstream h(header); std::getline(h, line, ',');) names.push_back(line);
  std::map<std::string, std::vector<double>> cols;
  while (std::getline(in, line)) {
    std::stringstream l(line + ",");
    std::string cell;
    for (const auto& n : names) {
      if (!std::getline(l, cell, ',')) cell.clear();
      cols[n].push_back(cell.empty() ? kNaN : std::stod(cell));
    }
  }
  return cols;
}

std::string utc_stamp() {
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::gmtime(&now));
  return buf;
}

std::string cell(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// A TOML literal as a CSV cell: strings without their quotes, lists with ';' between items.
std::string csv_value(std::string v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  for (char& c : v) c = c == ',' ? ';' : c;
  return v;
}

// j[key] as a number; NaN when absent or null.
double number(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : kNaN;
}

std::string text(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

nlohmann::ordered_json number_or_null(double v) {
  return std::isnan(v) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
}

}  // namespace

PointResult read_point_result(const std::string& run_dir, const SweepPoint& point) {
  PointResult r;
  r.point = point;
  r.run_id = fs::path(run_dir).filename().string();
  const auto cols = read_csv(fs::path(run_dir) / "metrics.csv");
  const auto& wall = cols.at("wall_s");
  const auto& updates = cols.at("updates");
  // Steady state: from the first row with learner updates to the last row before the stop (the
  // final row is taken after the processes were stopped).
  const std::size_t n = wall.size();
  std::size_t first = 0;
  while (first < n && !(updates[first] > 0)) ++first;
  const std::size_t last = n >= 2 ? n - 2 : 0;
  auto rate = [&](const char* col) {
    const auto& v = cols.at(col);
    if (first >= last || !(wall[last] > wall[first])) return kNaN;
    return (v[last] - v[first]) / (wall[last] - wall[first]);
  };
  r.env_steps_per_s = rate("env_steps");
  r.updates_per_s = rate("updates");
  r.samples_per_s = rate("replay_samples");
  double lag = 0;
  int lag_rows = 0;
  for (std::size_t i = first; i <= last && i < n; ++i) lag += cols.at("policy_lag")[i], ++lag_rows;
  r.policy_lag = lag_rows > 0 ? lag / lag_rows : kNaN;

  const auto j = nlohmann::json::parse(slurp(fs::path(run_dir) / "summary.json"));
  r.wall_s = number(j, "wall_seconds");
  r.env_steps = number(j, "env_steps");
  r.updates = number(j, "updates");
  r.solved = j.value("solved", false);
  r.time_to_target_s = r.solved && j["solve"].is_object() ? number(j["solve"], "wall_seconds") : kNaN;
  if (const auto b = j.find("bottleneck"); b != j.end() && b->is_object()) {
    r.verdict = text(*b, "verdict");
    if (!r.verdict.empty()) r.verdict_text = r.verdict + ": " + text(*b, "reason") + "; " + text(*b, "knob");
    if (const auto st = b->find("stages"); st != b->end() && st->is_object())
      for (const auto& [k, v] : st->items()) r.stages[k] = v.is_number() ? v.get<double>() : kNaN;
  }
  if (const auto mem = j.find("memory_mb"); mem != j.end() && mem->is_object())
    for (const auto& [role, m] : mem->items())
      if (m.is_object()) r.memory_mb[role] = number(m, "private");
  return r;
}

void write_sweep_files(const std::string& out_dir, const SweepSpec& spec, const std::vector<PointResult>& results) {
  std::ofstream csv(fs::path(out_dir) / "sweep.csv");
  csv << "point,repeat,run_id";
  for (const auto& a : spec.axes) csv << ',' << a.key;
  csv << ",exit_code,wall_s,env_steps,updates,env_steps_per_s,updates_per_s,samples_per_s,policy_lag,verdict,solved,"
         "time_to_target_s";
  for (const char* role : kRoles) csv << ',' << role << "_private_mb";
  const auto stage_cols = stage_columns();
  for (const auto& c : stage_cols) csv << ',' << c;
  csv << '\n';
  nlohmann::ordered_json j;
  j["spec"] = {{"path", spec.path}, {"base", spec.base_config}, {"repeats", spec.repeats},
               {"time_limit_s", spec.time_limit_s},
               {"target_return", spec.has_target ? nlohmann::ordered_json(spec.target_return) : nullptr}};
  for (const auto& [k, v] : spec.set) j["spec"]["set"][k] = v;
  for (const auto& a : spec.axes) j["spec"]["axes"][a.key] = a.values;
  j["points"] = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    csv << r.point.index << ',' << r.point.repeat << ',' << r.run_id;
    nlohmann::ordered_json p{{"point", r.point.index}, {"repeat", r.point.repeat}, {"run_id", r.run_id}};
    for (const auto& [k, v] : r.point.values) {
      csv << ',' << csv_value(v);
      p["config"][k] = v;
    }
    csv << ',' << r.exit_code << ',' << cell(r.wall_s) << ',' << cell(r.env_steps) << ',' << cell(r.updates) << ','
        << cell(r.env_steps_per_s) << ',' << cell(r.updates_per_s) << ',' << cell(r.samples_per_s) << ','
        << cell(r.policy_lag) << ',' << r.verdict << ',' << (r.solved ? 1 : 0) << ',' << cell(r.time_to_target_s);
    p.update({{"exit_code", r.exit_code}, {"wall_s", number_or_null(r.wall_s)}, {"env_steps", r.env_steps},
              {"updates", r.updates}, {"env_steps_per_s", number_or_null(r.env_steps_per_s)},
              {"updates_per_s", number_or_null(r.updates_per_s)}, {"samples_per_s", number_or_null(r.samples_per_s)},
              {"policy_lag", number_or_null(r.policy_lag)}, {"verdict", r.verdict}, {"verdict_text", r.verdict_text},
              {"solved", r.solved}, {"time_to_target_s", number_or_null(r.time_to_target_s)}});
    for (const char* role : kRoles) {
      const auto it = r.memory_mb.find(role);
      const double mb = it == r.memory_mb.end() ? kNaN : it->second;
      csv << ',' << cell(mb);
      p["private_mb"][role] = number_or_null(mb);
    }
    for (const auto& c : stage_cols) {
      const auto it = r.stages.find(c);
      csv << ',' << cell(it == r.stages.end() ? kNaN : it->second);
    }
    p["stages"] = r.stages;
    csv << '\n';
    j["points"].push_back(std::move(p));
  }
  std::ofstream js(fs::path(out_dir) / "sweep.json");
  js << j.dump(2) << '\n';
  if (!csv.flush() || !js.flush()) throw std::runtime_error("cannot write the sweep files in " + out_dir);
}

int run_sweep(const SweepArgs& args) {
  SweepSpec spec;
  try {
    spec = load_sweep_spec(args.spec);
  } catch (const std::exception& e) {
    std::cerr << "shmrl sweep: " << e.what() << "\n";
    return 2;
  }
  const auto points = expand_points(spec);
  const std::string stamp = utc_stamp();
  const fs::path out = args.out_dir.empty() ? fs::path("runs/sweeps") / (spec.name + "-" + stamp) : fs::path(args.out_dir);
  fs::create_directories(out / "runs");
  std::cout << "sweep " << spec.name << ": " << points.size() << " runs of up to " << spec.time_limit_s << " s into "
            << out.string() << std::endl;
  install_stop_handlers({SIGINT, SIGTERM});
  std::vector<PointResult> results;
  for (const auto& p : points) {
    const std::string run_id = "sweep-" + stamp + "-p" + std::to_string(p.index) + "r" + std::to_string(p.repeat);
    std::vector<std::string> argv = {"train", "--run-dir", (out / "runs").string(), "--run-id", run_id,
                                     "--time-limit", cell(spec.time_limit_s)};
    if (!spec.base_config.empty()) argv.insert(argv.end(), {"--config", spec.base_config});
    // Without a target a run must not stop early by solving: it measures throughput for its time.
    argv.insert(argv.end(), {"--target-return", spec.has_target ? cell(spec.target_return) : "1e30"});
    if (spec.max_env_steps > 0) argv.insert(argv.end(), {"--max-env-steps", cell(spec.max_env_steps)});
    for (const auto& [k, v] : spec.set) argv.insert(argv.end(), {"--set", k + "=" + v});
    std::string shown;
    for (const auto& [k, v] : p.values) {
      argv.insert(argv.end(), {"--set", k + "=" + v});
      shown += (shown.empty() ? "" : ", ") + k + " = " + v;
    }
    std::cout << "[" << results.size() + 1 << "/" << points.size() << "] " << shown << " (repeat " << p.repeat + 1
              << ")" << std::endl;
    Child child = Child::spawn(self_exe(), argv, (out / (run_id + ".out")).string());
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(spec.time_limit_s)) + kRunSlack;
    while (!child.poll() && !stop_requested() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (child.running()) {
      // Stopped by the user, or a run far past its time limit: stop it cleanly, as Ctrl-C would.
      std::vector<Child*> c = {&child};
      stop_children(c, std::chrono::seconds(30));
    }
    const int status = child.poll().value_or(0);
    PointResult r;
    try {
      r = read_point_result((out / "runs" / run_id).string(), p);
    } catch (const std::exception& e) {
      std::cout << "  no figures: " << e.what() << " (see " << (out / (run_id + ".out")).string() << ")\n";
      r.point = p;
      r.run_id = run_id;
      r.wall_s = r.env_steps_per_s = r.updates_per_s = r.samples_per_s = r.policy_lag = r.time_to_target_s = kNaN;
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::cout << "  env steps/s " << cell(r.env_steps_per_s) << ", updates/s " << cell(r.updates_per_s)
              << ", samples/s " << cell(r.samples_per_s) << ", lag " << cell(r.policy_lag) << ", "
              << (r.verdict.empty() ? std::string("no verdict") : r.verdict_text) << std::endl;
    results.push_back(std::move(r));
    write_sweep_files(out.string(), spec, results);  // after every run: a stopped sweep keeps its rows
    if (stop_requested()) {
      std::cout << "sweep stopped by a signal after " << results.size() << " runs; " << (out / "sweep.csv").string()
                << "\n";
      return 128 + stop_signal();
    }
  }
  std::cout << "sweep done: " << (out / "sweep.csv").string() << ", " << (out / "sweep.json").string() << "\n";
  return 0;
}

}  // namespace shmrl::launch
