#pragma once
// n-step transitions built at the actor (Ape-X): for every step t of an episode, one record
//   obs = o_t, action = a_t, reward = sum_{i<k} gamma^i r_{t+i}, next_obs = o_{t+k},
//   discount = gamma^k, or 0 if the episode terminated within those k steps,
// where k = n, or fewer when the episode ended (terminated or truncated) before t + n. Truncation
// keeps gamma^k: the final observation is real and learners bootstrap from it. Each record carries
// the weight version that chose a_t and the actor id. Records are packed with TransitionSchema::pack
// straight into memory the sink hands out (ring slots in the actor, vectors in tests).
//
// Plain C++. Memory per env: (n + 1) observations and n actions; step() allocates nothing.
// Threading: one thread.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/schema.h"

namespace shmrl::actors {

// Where built records go.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Memory for one more record (record_bytes of the schema). The caller fills it completely before
  // calling next_record() again. May block (a full ring) or throw.
  virtual std::byte* next_record() = 0;
};

struct NStepOptions {
  int n = 3;              // >= 1
  double gamma = 0.99;    // in (0, 1]
  uint32_t actor_id = 0;  // copied into every record
  void validate() const;  // std::invalid_argument naming the field
};

class NStepBuilder {
 public:
  // schema must outlive the builder. num_envs >= 1.
  NStepBuilder(const TransitionSchema& schema, std::size_t num_envs, const NStepOptions& opts);

  // Starts an episode in `env` at its first observation (obs_space bytes, copied). Precondition:
  // first call for env, or its previous episode ended in step() (std::logic_error otherwise).
  void begin(std::size_t env, const std::byte* obs);

  // `env` took `action` (action_space bytes), chosen by weights `version`, from its current
  // observation, got `reward` and `next_obs` (the true final observation if terminated or
  // truncated). Emits the record whose n steps are now complete, or, at an episode end, every
  // pending record of the episode, oldest first. Returns how many were emitted (0..n). After an
  // episode end call begin() before the next step(). O(n * record_bytes) at most.
  std::size_t step(std::size_t env, const std::byte* action, float reward, bool terminated,
                   bool truncated, const std::byte* next_obs, uint64_t version, RecordSink& sink);

  // Drops env's current episode: its pending steps are never emitted (an env whose output was
  // refused). begin() starts the next one. O(1).
  void abandon(std::size_t env) { envs_[env] = EnvState{}; }

  // Steps of env's current episode not yet emitted (< n).
  std::size_t pending(std::size_t env) const { return envs_[env].len; }

 private:
  struct EnvState {
    std::size_t start = 0;  // oldest pending entry (index into the env's circular slots)
    std::size_t len = 0;    // pending entries
    bool active = false;    // between begin() and the step that ends the episode
  };
  std::byte* obs_slot(std::size_t env, std::size_t i);    // i in [0, n + 1)
  std::byte* action_slot(std::size_t env, std::size_t i);  // i in [0, n + 1)
  // Packs the pending entry at position j (0 = oldest) of env: its return runs to the newest entry
  // and its next observation is the newest observation.
  void emit(std::size_t env, std::size_t j, bool terminated, RecordSink& sink);

  const TransitionSchema& schema_;
  NStepOptions opts_;
  std::size_t slots_;  // n + 1: n pending steps plus the newest observation
  std::size_t obs_bytes_, action_bytes_;
  std::vector<double> gamma_pow_;   // gamma^0 .. gamma^n
  std::vector<EnvState> envs_;
  std::vector<std::byte> obs_, actions_;  // [env][slot][bytes]
  std::vector<float> rewards_;            // [env][slot]
  std::vector<uint64_t> versions_;        // [env][slot]
};

}  // namespace shmrl::actors
