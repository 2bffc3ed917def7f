#include "launch/stress_outcome.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace shmrl::launch {
namespace {
using json = nlohmann::ordered_json;
namespace fs = std::filesystem;
}  // namespace

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

int processes_of(const std::string& run_id) {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = slurp((e.path() / "cmdline").string());
    for (char& c : cmd) c = c == '\0' ? ' ' : c;
    n += cmd.find("--run-id " + run_id + " ") != std::string::npos;
  }
  return n;
}


std::string cell(double v, int decimals) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return "never";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void read_summary(Outcome& o, const std::string& path) {
  std::ifstream in(path);
  o.summary = in ? json::parse(in, nullptr, false) : json();
  if (o.summary.is_discarded()) o.summary = json();
  const double wall = o.summary.is_object() ? o.summary.value("wall_seconds", 0.0) : 0.0;
  o.steps_per_s = wall > 0 ? o.summary.value("env_steps", 0.0) / wall : kStressNaN;
}

json to_json(const Outcome& o) {
  const json& s = o.summary;
  json j = {{"scenario", o.name}, {"what", o.what}, {"run_id", o.run_id}, {"exit_code", o.exit_code},
            {"faults", o.injected.size()}, {"fault_log", o.injected}};
  if (!o.skipped.empty()) j["skipped"] = o.skipped;
  if (!o.note.empty()) j["note"] = o.note;
  if (!o.resources.is_null()) j["resources"] = o.resources;
  if (!o.checkpoint_strikes.is_null()) j["checkpoint_strikes"] = o.checkpoint_strikes;
  j["stop_reason"] = s.is_object() && s.contains("stop_reason") ? s["stop_reason"] : json();
  j["restarts"] = s.is_object() ? s["restarts"] : json();
  j["transitions"] = s.is_object() ? s["transitions"] : json();
  j["bad_records_injected"] = o.corrupted.ring;
  j["bad_stored_records_injected"] = o.corrupted.stored;
  j["leaked_segments"] = o.leaked_segments;
  j["processes_left"] = o.processes_left;
  j["recovery_s"] = std::isfinite(o.recovery_s) ? json(o.recovery_s) : json(nullptr);
  if (std::isinf(o.recovery_s)) j["recovered"] = false;  // throughput never came back
  j["env_steps_per_s"] = std::isnan(o.steps_per_s) ? json(nullptr) : json(o.steps_per_s);
  j["steps_per_s_retained"] = std::isnan(o.retained) ? json(nullptr) : json(o.retained);
  j["reached_target"] = o.reached_target;
  j["learner_restarts_logged"] = o.checkpoint_restarts;
  j["learner_restarts_without_checkpoint"] = o.checkpoint_unusable;
  j["ok"] = o.ok;
  return j;
}

Outcome outcome_from_json(const json& j) {
  Outcome o;
  o.name = j.value("scenario", "");
  o.what = j.value("what", "");
  o.run_id = j.value("run_id", "");
  o.skipped = j.value("skipped", "");
  o.note = j.value("note", "");
  if (j.contains("resources")) o.resources = j["resources"];
  if (j.contains("checkpoint_strikes")) o.checkpoint_strikes = j["checkpoint_strikes"];
  o.exit_code = j.value("exit_code", -1);
  o.injected = j.value("fault_log", std::vector<std::string>{});
  o.corrupted = {j.value("bad_records_injected", uint64_t{0}), j.value("bad_stored_records_injected", uint64_t{0})};
  o.summary = {{"restarts", j["restarts"]}, {"transitions", j["transitions"]}, {"stop_reason", j["stop_reason"]}};
  o.leaked_segments = j.value("leaked_segments", 0);
  o.processes_left = j.value("processes_left", 0);
  auto num = [&](const char* k) { return j[k].is_number() ? j[k].get<double>() : kStressNaN; };
  o.recovery_s = j.value("recovered", true) ? num("recovery_s") : std::numeric_limits<double>::infinity();
  o.steps_per_s = num("env_steps_per_s");
  o.retained = num("steps_per_s_retained");
  o.reached_target = j.value("reached_target", false);
  o.checkpoint_restarts = j.value("learner_restarts_logged", 0);
  o.checkpoint_unusable = j.value("learner_restarts_without_checkpoint", 0);
  o.ok = j.value("ok", false);
  return o;
}

void print_table(const std::vector<Outcome>& all) {
  std::printf("\n%-16s %7s %-9s %9s %9s %5s %9s %9s %6s %5s %9s %10s %8s %4s\n", "scenario", "faults", "restarts",
              "committed", "stored", "lost", "bad/drop", "st.bad/fd", "leaked", "procs", "recovery", "steps/s", "retained",
              "target");
  for (const auto& o : all) {
    if (!o.skipped.empty()) {
      std::printf("%-16s skipped: %s\n", o.name.c_str(), o.skipped.c_str());
      continue;
    }
    const json& s = o.summary;
    const json& t = s.is_object() ? s["transitions"] : json();
    const json& r = s.is_object() ? s["restarts"] : json();
    auto num = [](const json& j, const char* k) { return j.is_object() && j.contains(k) ? j[k].dump() : std::string("-"); };
    const std::string restarts = num(r, "actor") + "/" + num(r, "replay") + "/" + num(r, "learner");
    const std::string bad = std::to_string(o.corrupted.ring) + "/" + num(t, "dropped");
    const std::string stored_bad = std::to_string(o.corrupted.stored) + "/" + num(t, "corrupt_stored");
    const json& k = o.checkpoint_strikes;
    const std::string faults = k.is_object() ? k["struck"].dump() + "/" + k["attempted"].dump()
                                             : std::to_string(o.injected.size());
    std::printf("%-16s %7s %-9s %9s %9s %5s %9s %9s %6d %5d %9s %10s %8s %4s%s\n", o.name.c_str(), faults.c_str(),
                restarts.c_str(), num(t, "committed").c_str(), num(t, "stored").c_str(), num(t, "lost").c_str(),
                bad.c_str(), stored_bad.c_str(), o.leaked_segments, o.processes_left, (cell(o.recovery_s) + (std::isfinite(o.recovery_s) ? " s" : "")).c_str(),
                cell(o.steps_per_s, 0).c_str(), std::isnan(o.retained) ? "-" : (cell(100 * o.retained, 0) + " %").c_str(),
                o.reached_target ? "yes" : "no", o.ok ? "" : "  <- FAILED a zero target");
  }
  std::printf("faults: injected (checkpoint-kill: kills that struck a checkpoint write / kills); restarts: actor/replay/learner; bad/drop: ring records corrupted / dropped by their checksum; "
              "st.bad/fd: stored records corrupted / found by their checksum (never trained on); procs: "
              "processes of the run alive after it ended; recovery: fault to >= %.0f %% of the baseline's steps/s "
              "(the longest); target: an evaluation reached the config's target return\n",
              100 * kRecovered);
  for (const auto& o : all) {
    const json& k = o.checkpoint_strikes;
    if (!k.is_object()) continue;
    std::printf("\n%s: %d of %d kills struck inside a checkpoint write (target %d); %d of %d restarts loaded the "
                "newest complete checkpoint; %d of %d checkpoint files left load; %d temporary files left\n",
                o.name.c_str(), k["struck"].get<int>(), k["attempted"].get<int>(), k["target"].get<int>(),
                k["newest_loaded"].get<int>(), k["restarts_logged"].get<int>(), k["files_load"].get<int>(),
                k["files_left"].get<int>(), k["temp_files_left"].get<int>());
  }
  for (const auto& o : all) {
    if (o.resources.is_null()) continue;
    std::printf("\n%s: resident memory and open fds per process, first sample after warm-up -> last "
                "(target: RssAnon and fds within +-5 %%, or 1 fd): %s\n", o.name.c_str(), o.resources.value("within_target", false) ? "met" : "NOT met");
    for (const auto& [name, r] : o.resources["processes"].items())
      std::printf("  %-10s rss %7ld -> %7ld kB (%+5.1f %%)  anon %7ld -> %7ld kB (%+5.1f %%)  fds %4ld -> %4ld (%+5.1f %%)"
                  "  %5.0f-%5.0f s\n",
                  name.c_str(), r["rss_kb"][0].get<long>(), r["rss_kb"][1].get<long>(), 100 * r["rss_drift"].get<double>(),
                  r["anon_kb"][0].get<long>(), r["anon_kb"][1].get<long>(), 100 * r["anon_drift"].get<double>(),
                  r["fds"][0].get<long>(), r["fds"][1].get<long>(), 100 * r["fd_drift"].get<double>(),
                  r["from_s"].get<double>(), r["to_s"].get<double>());
  }
}

}  // namespace shmrl::launch
