#pragma once
// The counters a learner publishes on seg::learner_stats(rank) for the launcher (progress line,
// metrics files): names in one place. "ready" turns 1 once the learner is attached to its batch
// slots (and, on rank 0, has published its first weights): the launcher's readiness test.
namespace shmrl::learner::stat {
inline constexpr const char* kReady = "ready";
inline constexpr const char* kUpdates = "updates";
inline constexpr const char* kUpdatesPerS = "updates_per_s";
inline constexpr const char* kLoss = "loss";
inline constexpr const char* kMeanAbsTd = "mean_abs_td";
inline constexpr const char* kGradNorm = "grad_norm";
inline constexpr const char* kWeightVersion = "weight_version";
inline constexpr const char* kSampleWaitS = "sample_wait_s";
inline constexpr const char* kPriorityDropped = "priority_updates_dropped";
inline constexpr const char* kCheckpointUpdates = "checkpoint_updates";
inline constexpr const char* kCuda = "cuda";
}  // namespace shmrl::learner::stat
