#pragma once
// One actor: E environments stepped in lockstep, one batched policy forward per vector step,
// n-step records packed straight into the actor's shared-memory ring, the weight board polled
// every weight_sync_steps vector steps and after every wait on a full ring, counters published as
// stats (seg::actor_stats(id)) at the same moments, with where the time went (stages::Actor).
//
// Threading: one thread. Cost per vector step: one forward + E env steps + about E records.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/envs/vector_env.h"
#include "actors/nstep.h"
#include "actors/options.h"
#include "actors/policy.h"
#include "actors/ring_writer.h"
#include "actors/weight_sync.h"
#include "common/run.h"
#include "common/schema.h"
#include "common/stage_clock.h"
#include "common/stats.h"

namespace shmrl::actors {

// Names of the stats an actor publishes (what the launcher reads).
namespace stat {
inline constexpr const char* kEnvSteps = "env_steps";          // total, across restarts
inline constexpr const char* kEpisodes = "episodes";           // total, across restarts
inline constexpr const char* kRecentReturn = "recent_return";  // mean of the last 100 episodes
inline constexpr const char* kRecentLength = "recent_length";  // mean of the last 100 episodes
inline constexpr const char* kWeightVersion = "weight_version";
inline constexpr const char* kBlockedSeconds = "blocked_s";    // waiting on a full ring, total
inline constexpr const char* kRecords = "records";             // records committed to the ring
inline constexpr const char* kEpsilon = "epsilon";            // the largest of the actor's envs
inline constexpr const char* kRefused = "refused_steps";      // env steps with a non-finite
                                                              // observation or reward, not stored
}  // namespace stat

// The policy produced an action outside the space. what() names the env id, env index and step;
// nothing was pushed for that step. (A non-finite observation or reward is not an error: the step
// is refused, counted in stat::kRefused, reported on stderr, and that env's episode is dropped and
// reset.)
struct BadEnvOutput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Actor {
 public:
  // Validates opts, makes E envs (actors/vector_envs.h: std::invalid_argument for an unknown id; a
  // gym: id through the Python bridge), the policy with
  // Ape-X epsilons (exploration.h), the ring writer and stats; loads board weights if present; resets the envs.
  // stop is polled every vector step and while waiting on a full ring.
  Actor(const ActorOptions& opts, const RunContext& run, const std::atomic<bool>& stop);

  // One vector step. Throws BadEnvOutput, StopRequested (stopped while the ring was full), and what
  // the envs throw (a Python exception of a gym: env: nothing of that step is pushed).
  void step();
  // Steps until stop is set or opts.max_steps env steps are done, then commits every built
  // record (waiting for room) and publishes the final stats.
  void run();

  uint64_t env_steps() const { return env_steps_; }
  uint64_t refused_steps() const { return refused_; }
  uint64_t weight_version() const { return version_; }
  const std::vector<double>& epsilons() const { return epsilon_; }  // per env
  const TransitionSchema& schema() const { return schema_; }
  RingWriter& writer() { return writer_; }

 private:
  [[noreturn]] void bad(std::size_t env, const std::string& what) const;
  std::string where(std::size_t env) const;
  void refuse(std::size_t env, const std::string& why);
  // "" when env's observation (and reward, when given) are finite, else what is not.
  std::string nonfinite(std::size_t env, const double* reward) const;
  // Resets the envs in reset_mask_, starting their episodes (refusing again any whose first
  // observation is not finite, up to a bound).
  void reset_masked();
  void sync_and_publish();

  // actor.initial_priority = "actor": each batch's priorities from the policy before it is committed.
  class PolicyPriorities final : public CommitHook {
   public:
    PolicyPriorities(Policy& policy, const TransitionSchema& schema, float priority_epsilon)
        : policy_(policy), schema_(schema), epsilon_(priority_epsilon) {}
    void before_commit(std::byte* const* records, std::size_t n) override {
      policy_.estimate_priorities(schema_, records, n, epsilon_);
    }

   private:
    Policy& policy_;
    const TransitionSchema& schema_;
    float epsilon_;
  };

  ActorOptions opts_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<envs::VectorEnv> envs_;
  TransitionSchema schema_;
  std::vector<double> epsilon_;  // per env
  std::unique_ptr<Policy> policy_;
  NStepBuilder builder_;
  RingWriter writer_;
  WeightSync weights_;
  StatsWriter stats_;
  StageClock clock_;  // stages::Actor, published with the stats
  std::unique_ptr<PolicyPriorities> priorities_;
  std::mt19937_64 seed_rng_;  // episode reset seeds
  std::vector<std::byte> actions_;
  std::size_t obs_bytes_, action_bytes_, obs_numel_;
  std::vector<double> ep_return_;
  std::vector<uint64_t> ep_length_;
  std::vector<envs::StepResult> results_;  // this vector step's, per env
  std::vector<uint8_t> reset_mask_;        // envs to reset after this vector step
  std::vector<uint64_t> reset_seeds_;
  std::array<double, 100> recent_return_{}, recent_length_{};
  uint64_t recent_count_ = 0;
  uint64_t env_steps_ = 0, vector_steps_ = 0, episodes_ = 0, version_ = 0, refused_ = 0;
  double base_env_steps_ = 0, base_episodes_ = 0, base_blocked_ = 0, base_refused_ = 0;  // a predecessor's totals
};

}  // namespace shmrl::actors
