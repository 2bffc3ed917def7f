#pragma once
// One `shmrl stress` scenario's figures (launch/stress.h lists them), as JSON (stress.json, and
// from a scenario run in a fork) and as a table row. Launcher main thread.
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "launch/stress_faults.h"

namespace shmrl::launch {

inline constexpr double kStressNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kRecovered = 0.8;  // throughput back at this share of the baseline's

struct Outcome {
  std::string name, what, run_id;
  int exit_code = -1;
  std::vector<std::string> injected;  // what each fault did
  std::vector<double> fault_wall_s;   // when, in the run's wall clock (metrics.csv wall_s)
  Corrupted corrupted;                // records flipped
  nlohmann::ordered_json summary;                       // the run's summary.json (null if none)
  int leaked_segments = 0, processes_left = 0;
  double steps_per_s = kStressNaN, retained = kStressNaN, recovery_s = kStressNaN;
  bool reached_target = false;
  int checkpoint_restarts = 0, checkpoint_unusable = 0;  // learner restarts; of those without a loadable one
  nlohmann::ordered_json resources;                       // soak: ResourceSampler::drift
  nlohmann::ordered_json checkpoint_strikes;              // checkpoint-kill: CheckpointStriker::verify
  std::string note;                                       // a scenario's own figures, in words
  std::string skipped;                                    // why the scenario could not run here
  bool ok = false;                                        // met every zero target
};

// Reads the run's summary.json (at `path`) into o.summary (null if there is none) and sets
// o.steps_per_s from it (env steps over wall seconds, NaN without one).
void read_summary(Outcome& o, const std::string& path);

nlohmann::ordered_json to_json(const Outcome& o);
// The inverse of to_json for what the table and the verdict need (fault times are not kept).
Outcome outcome_from_json(const nlohmann::ordered_json& j);
// The table of every scenario, with its legend, on stdout.
void print_table(const std::vector<Outcome>& all);
// Helpers the scenario runners share. The whole file ("" if it cannot be read).
std::string slurp(const std::string& path);
// How often needle occurs in text.
std::size_t count(const std::string& text, const std::string& needle);
// Processes (any state) whose command line names the run (--run-id): what a run must not leave behind.
int processes_of(const std::string& run_id);
// "12.3", "-" for NaN, "never" for infinity.
std::string cell(double v, int decimals = 1);

}  // namespace shmrl::launch
