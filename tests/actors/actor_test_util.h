#pragma once
// Helpers for tests that run an Actor in their own process (tests/actors, tests/gym).
#include <cstddef>
#include <vector>

#include "actors/options.h"
#include "common/run.h"
#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"
#include "common/stats.h"

namespace shmrl::test {

// Small and greedy: 2 CartPole envs, 1-step records, an 8-unit Q-MLP, weights checked every step.
inline actors::ActorOptions small_actor_options() {
  actors::ActorOptions o = actors::ActorOptions::defaults();
  o.env_id = "CartPole-v1";
  o.envs_per_actor = 2;
  o.n_step = 1;
  o.epsilon_base = 0;  // greedy: the actions show which weights are in use
  o.hidden = {8};
  o.dueling = false;
  o.weight_sync_steps = 1;
  o.push_batch = 4;
  o.ring_capacity = 1024;
  o.seed = 3;
  return o;
}

// Every record now in the actor's ring, popped by this process acting as the consumer.
inline std::vector<std::vector<std::byte>> drain_actor_ring(const RunContext& run, int actor_id) {
  auto seg = shm::Segment::open(run.run_id, seg::actor_ring(actor_id));
  auto ring = shm::SpscRing::attach(seg.data(), seg.size());
  ring.claim_consumer();
  std::vector<std::vector<std::byte>> out;
  std::vector<std::byte> rec(ring.record_bytes());
  while (ring.try_pop(rec.data())) out.push_back(rec);
  return out;
}

}  // namespace shmrl::test
