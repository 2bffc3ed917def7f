#pragma once
// Test-side stand-in for the replay service: fills learner batch slots (replay/batch_writer.h)
// with synthetic CartPole records built through the transition schema.
#include <cstdint>
#include <random>
#include <vector>

#include "actors/envs/registry.h"
#include "common/schema.h"
#include "replay/batch_writer.h"

namespace shmrl::learner::test {

inline TransitionSchema cartpole_schema() {
  auto env = envs::make_env("CartPole-v1");
  return TransitionSchema(env->observation_space(), env->action_space());
}

// Record i of batch `seq`: obs = (seq, i, 0.5, -0.5), action = i % 2, reward = 1, discount = 0.97
// (0 for every 5th record), next_obs = obs + 0.1, key = seq * 1000 + i, weight = 1 / (1 + i % 3).
inline bool fill_one(replay::BatchWriter& w, const TransitionSchema& schema, std::size_t batch_size,
                     uint64_t seq) {
  const int slot = w.try_claim();
  if (slot < 0) return false;
  BatchLayout layout(schema, batch_size);
  std::vector<std::byte> record(schema.record_bytes());
  for (std::size_t i = 0; i < batch_size; ++i) {
    float obs[4] = {static_cast<float>(seq), static_cast<float>(i), 0.5f, -0.5f};
    float next[4] = {obs[0] + 0.1f, obs[1] + 0.1f, 0.6f, -0.4f};
    int32_t action = static_cast<int32_t>(i % 2);
    TransitionRef t;
    t.obs = reinterpret_cast<const std::byte*>(obs);
    t.action = reinterpret_cast<const std::byte*>(&action);
    t.reward = 1.0f;
    t.discount = i % 5 == 0 ? 0.0f : 0.97f;
    t.next_obs = reinterpret_cast<const std::byte*>(next);
    schema.pack(t, record.data());
    layout.set_row(w.batch(slot), i, record.data());
    w.keys(slot)[i] = seq * 1000 + i;
    w.weights(slot)[i] = 1.0f / static_cast<float>(1 + i % 3);
  }
  w.publish(slot, 0.4, 1);
  return true;
}

}  // namespace shmrl::learner::test
