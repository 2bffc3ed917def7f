#include "common/stage_clock.h"

namespace shmrl {

std::string stage_stat_name(std::string_view stage, std::string_view prefix) {
  return std::string(prefix) + "stage_" + std::string(stage) + "_s";
}

std::vector<std::string> stage_stat_names(std::span<const char* const> stages, std::string_view prefix) {
  std::vector<std::string> out;
  for (const char* s : stages) out.push_back(stage_stat_name(s, prefix));
  return out;
}

StageClock::StageClock(std::span<const char* const> stages, StatsWriter& stats, std::string_view prefix)
    : count_(stages.size()), ns_(std::make_unique<std::atomic<int64_t>[]>(stages.size())), last_(Clock::now()) {
  for (const auto& name : stage_stat_names(stages, prefix)) {
    entries_.push_back(&stats[name]);
    base_.push_back(entries_.back()->load(std::memory_order_relaxed));
  }
}

double StageClock::seconds(std::size_t i) const {
  return static_cast<double>(ns_[i].load(std::memory_order_relaxed)) * 1e-9;
}

void StageClock::publish() {
  for (std::size_t i = 0; i < count_; ++i) entries_[i]->store(base_[i] + seconds(i), std::memory_order_relaxed);
}

}  // namespace shmrl
