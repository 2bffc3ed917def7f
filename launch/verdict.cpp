#include "launch/verdict.h"

#include <cmath>
#include <cstdio>

#include "common/stage_clock.h"

namespace shmrl::launch {
namespace {

std::string pct(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f %%", 100 * std::max(0.0, f));
  return buf;
}

using A = stages::Actor;
using W = stages::ReplayWriter;
using S = stages::ReplaySampler;
using L = stages::Learner;

// Which actor stage limits the actors: env, inference or packing records (transport).
BottleneckVerdict actor_side(const StageFractions& f, const std::string& why) {
  const double env = f.of(StageGroup::Actor, A::Env), inf = f.of(StageGroup::Actor, A::Inference),
               pack = f.of(StageGroup::Actor, A::Pack);
  const std::string split = "actors: env " + pct(env) + ", inference " + pct(inf) + ", packing " + pct(pack);
  if (env >= inf && env >= pack)
    return {"env-bound", why + "; " + split, "add actors (run.actors) or envs per actor (actor.envs_per_actor)"};
  if (inf >= pack)
    return {"inference-bound", why + "; " + split,
            "raise actor.envs_per_actor (larger policy batches) or add actors (run.actors)"};
  return {"transport-bound", why + "; " + split, "raise actor.push_batch (fewer ring commits) or add actors"};
}

// The replay service's sampler threads limit the learners.
BottleneckVerdict sampler_side(const StageFractions& f, const std::string& why) {
  const double sample = f.of(StageGroup::ReplaySampler, S::Sample),
               write = f.of(StageGroup::ReplaySampler, S::WriteSlots);
  const std::string split = "replay samplers: sampling " + pct(sample) + ", writing batch slots " + pct(write);
  if (write > sample)
    return {"transport-bound", why + "; " + split,
            "smaller records or batches (learner.batch_size); each learner (run.learners) has its own sampler"};
  return {"replay-bound", why + "; " + split,
          "replay.selector = \"uniform\" samples faster; each learner (run.learners) has its own sampler"};
}

// The replay writer thread limits the actors.
BottleneckVerdict writer_side(const StageFractions& f, const std::string& why) {
  const double drain = f.of(StageGroup::ReplayWriter, W::Drain), ins = f.of(StageGroup::ReplayWriter, W::Insert),
               prio = f.of(StageGroup::ReplayWriter, W::Priorities);
  const std::string split =
      "replay writer: reading rings " + pct(drain) + ", inserting " + pct(ins) + ", priorities " + pct(prio);
  if (drain > ins + prio)
    return {"transport-bound", why + "; " + split, "smaller records (obs size, n-step) or a larger actor.push_batch"};
  return {"replay-bound", why + "; " + split,
          "replay.selector = \"uniform\" inserts faster; fewer priority updates (a larger learner.batch_size)"};
}

}  // namespace

std::string BottleneckVerdict::text() const { return bound.empty() ? "" : bound + ": " + reason + "; " + knob; }

BottleneckVerdict bottleneck(const StageFractions& f, double queue_fill) {
  if (!f.has(StageGroup::Actor) || !f.has(StageGroup::Learner)) return {};
  const double actor_wait = f.of(StageGroup::Actor, A::RingWait);
  const double learner_wait = f.of(StageGroup::Learner, L::BatchWait);
  const double learner_busy = f.accounted(StageGroup::Learner) - learner_wait;
  const double wait_insert = f.of(StageGroup::ReplayWriter, W::WaitInsert);
  const double wait_sample = f.of(StageGroup::ReplaySampler, S::WaitSample);
  const double sampler_busy =
      f.of(StageGroup::ReplaySampler, S::Sample) + f.of(StageGroup::ReplaySampler, S::WriteSlots);
  const double writer_busy = f.of(StageGroup::ReplayWriter, W::Drain) + f.of(StageGroup::ReplayWriter, W::Insert) +
                             f.of(StageGroup::ReplayWriter, W::Priorities);
  const std::string actors_wait = "actors wait " + pct(actor_wait) + " on full rings (" + pct(queue_fill) + " full)";
  const std::string learners_wait = "learners wait " + pct(learner_wait) + " for batches";

  if (actor_wait >= kWaitFraction) {
    if (wait_insert >= kWaitFraction) {
      // The limiter holds inserts until the learners sample more.
      const std::string why = actors_wait + ", the rate limiter holds inserts " + pct(wait_insert);
      if (learner_busy >= kBusyFraction)
        return {"learner-bound", "learners busy " + pct(learner_busy) + ", " + why,
                "add learners (run.learners) or raise learner.batch_size; or lower replay.samples_per_insert"};
      if (sampler_busy >= kBusyFraction) return sampler_side(f, why + ", " + learners_wait);
      return {"rate-limited", why + " while " + learners_wait,
              "raise replay.error_buffer, or change replay.samples_per_insert"};
    }
    if (writer_busy >= kBusyFraction) return writer_side(f, actors_wait);
    if (learner_busy >= kBusyFraction)
      return {"learner-bound", "learners busy " + pct(learner_busy) + ", " + actors_wait,
              "add learners (run.learners) or raise learner.batch_size"};
    return writer_side(f, actors_wait);
  }
  if (learner_wait >= kWaitFraction) {
    if (wait_sample >= kWaitFraction)
      return actor_side(f, learners_wait + ", the rate limiter holds samples " + pct(wait_sample) +
                               " for more inserts");
    if (sampler_busy >= kBusyFraction) return sampler_side(f, learners_wait);
    if (writer_busy >= kBusyFraction) return writer_side(f, learners_wait);
    return actor_side(f, learners_wait);
  }
  // Neither side waits on the other: both run flat out (on a small machine, sharing the cores).
  const std::string both = "neither side waits (actors " + pct(actor_wait) + ", learners " + pct(learner_wait) + ")";
  if (learner_wait <= actor_wait)
    return {"learner-bound", "learners busy " + pct(learner_busy) + ", " + both,
            "add learners (run.learners) or raise learner.batch_size"};
  return actor_side(f, both);
}

}  // namespace shmrl::launch
