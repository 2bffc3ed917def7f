#include "launch/metrics.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <unistd.h>
#include <stdexcept>

#include "common/proc.h"
#include "common/stats.h"

namespace shmrl::launch {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Names of the stats the launcher reads: those the actor (actors/actor.h stat::), replay service and
// learner publish. Kept in one place so a rename is one edit here.
namespace stat {
constexpr const char* kEnvSteps = "env_steps";
constexpr const char* kEpisodes = "episodes";
constexpr const char* kRecentReturn = "recent_return";
constexpr const char* kWeightVersion = "weight_version";
constexpr const char* kRecords = "records";
constexpr const char* kReplaySize = "size";
constexpr const char* kReplayInserts = "inserts";
constexpr const char* kReplaySamples = "samples";
inline std::string replay_actor_inserts(std::size_t i) { return "actor" + std::to_string(i) + "_inserts"; }
constexpr const char* kUpdates = "updates";
}  // namespace stat

double get(const StatMap& m, const std::string& key, double fallback = 0) { return stat_or(m, key, fallback); }

std::string si(double v) {  // 1234567 -> "1.23M"
  char buf[32];
  const char* unit = "";
  double a = std::fabs(v);
  if (a >= 1e9)
    v /= 1e9, unit = "G";
  else if (a >= 1e6)
    v /= 1e6, unit = "M";
  else if (a >= 1e3)
    v /= 1e3, unit = "k";
  std::snprintf(buf, sizeof buf, std::fabs(v) >= 100 || *unit == 0 ? "%.0f%s" : "%.3g%s", v, unit);
  return buf;
}

std::string ret(double v) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}
}  // namespace

const std::vector<std::pair<std::string, double MetricsRow::*>>& metric_columns() {
  static const std::vector<std::pair<std::string, double MetricsRow::*>> cols = {
      {"wall_s", &MetricsRow::wall_s},
      {"env_steps", &MetricsRow::env_steps},
      {"env_steps_per_s", &MetricsRow::env_steps_per_s},
      {"episodes", &MetricsRow::episodes},
      {"updates", &MetricsRow::updates},
      {"updates_per_s", &MetricsRow::updates_per_s},
      {"replay_size", &MetricsRow::replay_size},
      {"replay_inserts", &MetricsRow::replay_inserts},
      {"replay_samples", &MetricsRow::replay_samples},
      {"train_return", &MetricsRow::train_return},
      {"eval_return", &MetricsRow::eval_return},
      {"weight_version", &MetricsRow::weight_version},
      {"policy_lag", &MetricsRow::policy_lag},
      {"queue_fill", &MetricsRow::queue_fill},
      {"actor_restarts", &MetricsRow::actor_restarts},
      {"replay_restarts", &MetricsRow::replay_restarts},
      {"learner_restarts", &MetricsRow::learner_restarts},
      {"launcher_private_mb", &MetricsRow::launcher_private_mb},
      {"replay_private_mb", &MetricsRow::replay_private_mb},
      {"learner_private_mb", &MetricsRow::learner_private_mb},
      {"actor_private_mb", &MetricsRow::actor_private_mb},
  };
  return cols;
}

void MetricsTracker::read_memory(const StatsSnapshot& s, MetricsRow& row) {
  auto note = [&](const char* role, double& field, pid_t pid) {
    const auto m = pid > 0 ? memory_use(pid) : std::nullopt;
    if (!m) return;
    const double priv = static_cast<double>(m->private_bytes) / (1 << 20);
    field = std::max(field, priv);
    auto& peak = peak_memory_[role];
    peak.private_mb = std::max(peak.private_mb, priv);
    peak.anonymous_mb = std::max(peak.anonymous_mb, static_cast<double>(m->anonymous) / (1 << 20));
  };
  auto pid_of = [](const StatMap& m) { return static_cast<pid_t>(get(m, kPidStat)); };
  note("launcher", row.launcher_private_mb, getpid());
  note("replay", row.replay_private_mb, pid_of(s.replay));
  for (const auto& l : s.learners) note("learner", row.learner_private_mb, pid_of(l));
  for (const auto& a : s.actors) note("actor", row.actor_private_mb, pid_of(a));
}

double MetricsTracker::env_steps_in(const StatsSnapshot& s) const {
  double steps = base_env_steps_;
  for (std::size_t i = 0; i < s.actors.size(); ++i) {
    const double seen = i < actor_steps_.size() ? actor_steps_[i] : 0;
    steps += std::max(seen, get(s.actors[i], stat::kEnvSteps));
  }
  return steps;
}

MetricsRow MetricsTracker::update(const StatsSnapshot& s, double eval_return, const RestartCounts& restarts) {
  const std::size_t n = s.actors.size();
  actor_steps_.resize(n, 0);
  actor_episodes_.resize(n, 0);
  MetricsRow row;
  row.wall_s = s.wall_s;
  row.env_steps = base_env_steps_;
  double return_sum = 0, fill_sum = 0;
  int with_episodes = 0;
  double oldest_version = std::numeric_limits<double>::infinity(), newest_actor_version = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const StatMap& a = s.actors[i];
    actor_steps_[i] = std::max(actor_steps_[i], get(a, stat::kEnvSteps));
    actor_episodes_[i] = std::max(actor_episodes_[i], get(a, stat::kEpisodes));
    row.env_steps += actor_steps_[i];
    row.episodes += actor_episodes_[i];
    if (get(a, stat::kEpisodes) > 0) {
      return_sum += get(a, stat::kRecentReturn);
      ++with_episodes;
    }
    if (!a.empty()) {
      double v = get(a, stat::kWeightVersion);
      oldest_version = std::min(oldest_version, v);
      newest_actor_version = std::max(newest_actor_version, v);
    }
    // Records committed to the ring minus those the replay service took out of it.
    double in_ring =
        get(a, stat::kRecords) - get(s.replay, stat::replay_actor_inserts(i), get(a, stat::kRecords));
    fill_sum += std::clamp(in_ring / static_cast<double>(ring_capacity_), 0.0, 1.0);
  }
  row.train_return = with_episodes > 0 ? return_sum / with_episodes : kNaN;
  row.queue_fill = n > 0 ? fill_sum / static_cast<double>(n) : 0;

  row.replay_size = get(s.replay, stat::kReplaySize);
  row.replay_inserts = get(s.replay, stat::kReplayInserts);
  row.replay_samples = get(s.replay, stat::kReplaySamples);

  if (!s.learners.empty()) {
    updates_ = std::max(updates_, get(s.learners[0], stat::kUpdates));
    row.weight_version = get(s.learners[0], stat::kWeightVersion);
  }
  row.updates = updates_;
  row.weight_version = std::max(row.weight_version, newest_actor_version);
  row.policy_lag = std::isinf(oldest_version) ? 0 : row.weight_version - oldest_version;
  row.eval_return = eval_return;
  row.actor_restarts = restarts.actor;
  row.replay_restarts = restarts.replay;
  row.learner_restarts = restarts.learner;
  read_memory(s, row);

  double dt = s.wall_s - prev_wall_;
  StageTotals totals = stage_totals(s);
  if (!first_ && dt > 0) {
    row.env_steps_per_s = (row.env_steps - prev_steps_) / dt;
    row.updates_per_s = (row.updates - prev_updates_) / dt;
    row.stages = stage_fractions(prev_totals_, totals);
  }
  while (window_.size() > 1 && window_[1].wall_s <= totals.wall_s - kVerdictWindowS) window_.pop_front();
  if (!window_.empty()) row.verdict = bottleneck(stage_fractions(window_.front(), totals), row.queue_fill);
  window_.push_back(totals);
  if (!run_start_ && row.stages.has(StageGroup::Actor) && row.stages.has(StageGroup::Learner)) run_start_ = prev_totals_;
  if (run_start_) fill_sum_ += row.queue_fill, ++fill_rows_;
  prev_totals_ = std::move(totals);
  first_ = false;
  prev_wall_ = s.wall_s;
  prev_steps_ = row.env_steps;
  prev_updates_ = row.updates;
  return row;
}

StageFractions MetricsTracker::run_fractions() const {
  return run_start_ ? stage_fractions(*run_start_, prev_totals_) : StageFractions{};
}

BottleneckVerdict MetricsTracker::run_verdict() const {
  return bottleneck(run_fractions(), fill_rows_ > 0 ? fill_sum_ / fill_rows_ : 0);
}

CsvMetricsWriter::CsvMetricsWriter(const std::string& path)
    : path_(path), file_(std::fopen(path.c_str(), "a")) {
  if (!file_) throw std::runtime_error("cannot create '" + path + "': " + std::strerror(errno));
  std::fseek(file_, 0, SEEK_END);
  if (std::ftell(file_) > 0) return;  // appending to a resumed run's rows: the header is there
  std::string header;
  for (const auto& [name, field] : metric_columns()) {
    if (!header.empty()) header += ',';
    header += name;
  }
  for (const auto& name : stage_columns()) header += ',' + name;
  std::fprintf(file_, "%s\n", header.c_str());
  std::fflush(file_);
}

CsvMetricsWriter::~CsvMetricsWriter() { std::fclose(file_); }

void CsvMetricsWriter::write(const MetricsRow& row) {
  std::string line;
  char buf[64];
  std::vector<double> values;
  for (const auto& [name, field] : metric_columns()) values.push_back(row.*field);
  for (double v : stage_values(row.stages)) values.push_back(v);
  for (double v : values) {
    if (std::isnan(v)) {
      buf[0] = 0;  // empty cell: pandas and spreadsheets read it as missing
    } else {
      std::snprintf(buf, sizeof buf, "%.10g", v);
    }
    if (!line.empty()) line += ',';
    line += buf;
  }
  if (std::fprintf(file_, "%s\n", line.c_str()) < 0 || std::fflush(file_) != 0) {
    throw std::runtime_error("writing '" + path_ + "': " + std::strerror(errno));
  }
}

std::vector<std::pair<std::string, float>> tensorboard_scalars(const MetricsRow& row) {
  const std::pair<const char*, double> all[] = {
      {"return/eval", row.eval_return},
      {"return/train", row.train_return},
      {"throughput/env_steps_per_s", row.env_steps_per_s},
      {"throughput/updates_per_s", row.updates_per_s},
      {"replay/size", row.replay_size},
      {"replay/samples", row.replay_samples},
      {"actors/policy_lag", row.policy_lag},
      {"actors/queue_fill", row.queue_fill},
      {"actors/restarts", row.actor_restarts},
      {"replay/restarts", row.replay_restarts},
      {"learner/restarts", row.learner_restarts},
      {"actors/episodes", row.episodes},
      {"learner/updates", row.updates},
      {"time/wall_s", row.wall_s},
  };
  std::vector<std::pair<std::string, float>> out;
  for (const auto& [tag, v] : all) {
    if (!std::isnan(v)) out.emplace_back(tag, static_cast<float>(v));
  }
  const auto names = stage_columns();
  const auto values = stage_values(row.stages);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!std::isnan(values[i])) out.emplace_back("stages/" + names[i], static_cast<float>(values[i]));
  }
  return out;
}

std::string format_progress(const MetricsRow& r) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "%6.1fs | %s steps %s/s | %s upd %s/s | replay %s | return %s | eval %s | lag %.0f | "
                "queue %.0f%%",
                r.wall_s, si(r.env_steps).c_str(), si(r.env_steps_per_s).c_str(), si(r.updates).c_str(),
                si(r.updates_per_s).c_str(), si(r.replay_size).c_str(), ret(r.train_return).c_str(),
                ret(r.eval_return).c_str(), r.policy_lag, 100 * r.queue_fill);
  std::string s = buf;
  if (r.actor_restarts + r.replay_restarts + r.learner_restarts > 0) {
    s += " | restarts";
    for (const auto& [n, what] : {std::pair{r.actor_restarts, " actor"}, std::pair{r.replay_restarts, " replay"},
                                  std::pair{r.learner_restarts, " learner"}})
      if (n > 0) s += " " + std::to_string(static_cast<int>(n)) + what;
  }
  if (!r.verdict.bound.empty()) s += " | " + r.verdict.bound;
  return s;
}

}  // namespace shmrl::launch
