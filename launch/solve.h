#pragma once
// When a run counts as solved: an evaluation of the board's weights reaches run.target_return, and
// run.confirm_evals more evaluations of those same weights (by version), on fresh seeds, reach it
// too. Keeps the latest evaluations for summary.json (every one also goes to evaluations.csv as it
// finishes: summary.h), so a run of days holds a bounded list. Plain bookkeeping; main thread only.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "launch/evaluation.h"

namespace shmrl::launch {

struct EvalRecord {
  EvalStats stats;
  bool after_stop = false;  // finished after the run had stopped: recorded, never decides anything
};

class SolveTracker {
 public:
  enum class Verdict {
    Continue,  // keep training and evaluating periodically
    Confirm,   // evaluate the weights of the result just added again (fresh seeds)
    Solved,    // the weights passed, confirmations included: solving() holds them
  };

  static constexpr std::size_t kKept = 1000;

  // target: run.target_return; confirm_evals >= 0: run.confirm_evals; keep >= 1: how many of the
  // latest evaluations evaluations() holds.
  SolveTracker(double target, int confirm_evals, std::size_t keep = kKept);

  // Records a finished evaluation (in the order they finish) and says what comes next. After
  // Solved, or for an evaluation that finished after the stop, always Continue. O(1).
  Verdict add(const EvalStats& r, bool after_stop = false);

  // The latest `keep` evaluations, oldest first; total(): how many were added.
  const std::deque<EvalRecord>& evaluations() const { return evaluations_; }
  uint64_t total() const { return total_; }
  // The first passing evaluation of the weights that solved the run; nullopt until solved.
  const std::optional<EvalStats>& solving() const { return solved_; }
  // Mean of the latest evaluation (NaN if none).
  double last_mean() const;

 private:
  double target_;
  int confirm_evals_;
  std::size_t keep_;
  int confirmations_left_ = 0;
  uint64_t total_ = 0;
  std::optional<EvalStats> candidate_, solved_;
  std::deque<EvalRecord> evaluations_;
};

}  // namespace shmrl::launch
