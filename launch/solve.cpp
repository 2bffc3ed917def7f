#include "launch/solve.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace shmrl::launch {

SolveTracker::SolveTracker(double target, int confirm_evals, std::size_t keep)
    : target_(target), confirm_evals_(confirm_evals), keep_(keep) {
  if (confirm_evals < 0)
    throw std::invalid_argument("run.confirm_evals = " + std::to_string(confirm_evals) + ": must be >= 0");
  if (keep < 1) throw std::invalid_argument("SolveTracker keeps at least one evaluation");
}

SolveTracker::Verdict SolveTracker::add(const EvalStats& r, bool after_stop) {
  evaluations_.push_back(EvalRecord{r, after_stop});
  evaluations_.back().stats.weights.reset();  // the list keeps figures, not networks
  if (evaluations_.size() > keep_) evaluations_.pop_front();
  ++total_;
  if (after_stop || solved_) return Verdict::Continue;
  const bool pass = r.mean >= target_;
  if (r.confirmation) {
    if (!candidate_ || r.weight_version != candidate_->weight_version) return Verdict::Continue;
    if (!pass) {
      candidate_.reset();
      return Verdict::Continue;
    }
    if (--confirmations_left_ > 0) return Verdict::Confirm;
    solved_ = std::move(candidate_);
    candidate_.reset();
    return Verdict::Solved;
  }
  if (!pass) return Verdict::Continue;
  if (confirm_evals_ == 0) {
    solved_ = r;
    return Verdict::Solved;
  }
  candidate_ = r;
  confirmations_left_ = confirm_evals_;
  return Verdict::Confirm;
}

double SolveTracker::last_mean() const {
  return evaluations_.empty() ? std::numeric_limits<double>::quiet_NaN() : evaluations_.back().stats.mean;
}

}  // namespace shmrl::launch
