#pragma once
// The transition schema: the one definition of what an experience record holds. Named fields with
// dtypes and shapes, sized from the environment's spaces at run start. pack()/unpack() are the only
// code that knows record offsets; batches are laid out column-wise by BatchLayout from the same
// field table. Everyone (actors, replay, learners, benchmarks) goes through these.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/dtype.h"
#include "common/spaces.h"

namespace shmrl {

struct Field {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;  // per-item shape ({} for scalars)
  std::size_t offset = 0;      // byte offset in a record
  std::size_t bytes = 0;       // numel * dtype_size
};

// One n-step transition as views: pack() reads caller memory through it; unpack() returns pointers
// into the record. obs/next_obs/action point at obs_space.bytes() / action_space.bytes() bytes.
struct TransitionRef {
  const std::byte* obs = nullptr;
  const std::byte* action = nullptr;
  float reward = 0;            // discounted n-step return
  float discount = 0;          // gamma^n, 0 when the episode terminated within the n steps
  const std::byte* next_obs = nullptr;  // observation n steps ahead (true final obs on truncation)
  float initial_priority = 0;  // <= 0: let the replay service use its running max
  uint64_t policy_version = 0; // weight version that chose the first action
  uint32_t actor_id = 0;
};

class TransitionSchema {
 public:
  // Field names, in record order.
  static constexpr std::string_view kObs = "obs", kAction = "action", kReward = "reward",
                                    kDiscount = "discount", kNextObs = "next_obs",
                                    kInitialPriority = "initial_priority",
                                    kPolicyVersion = "policy_version", kActorId = "actor_id";

  TransitionSchema(const Space& obs_space, const Space& action_space);

  const Space& obs_space() const { return obs_; }
  const Space& action_space() const { return action_; }
  const std::vector<Field>& fields() const { return fields_; }
  // Throws std::out_of_range naming the field if absent.
  const Field& field(std::string_view name) const;
  std::size_t record_bytes() const { return record_bytes_; }  // multiple of 8
  // Stable 64-bit hash of names, dtypes and shapes: processes check they agree on the layout.
  uint64_t fingerprint() const { return fingerprint_; }

  // Writes t into record (record_bytes() bytes). O(record_bytes).
  void pack(const TransitionRef& t, std::byte* record) const;
  // Views into record; valid while record is.
  TransitionRef unpack(const std::byte* record) const;
  // Overwrites the initial_priority field of a packed record (actors that estimate priorities after
  // packing). O(1).
  void set_initial_priority(std::byte* record, float priority) const;

 private:
  Space obs_, action_;
  std::vector<Field> fields_;
  std::size_t record_bytes_ = 0;
  uint64_t fingerprint_ = 0;
  std::size_t obs_off_, action_off_, reward_off_, discount_off_, next_obs_off_, prio_off_,
      version_off_, actor_off_;
};

// Column-wise batch of `batch_size` transitions: each field's items contiguous (what a learner turns
// into tensors without a copy), each column 64-byte aligned.
class BatchLayout {
 public:
  BatchLayout(const TransitionSchema& schema, std::size_t batch_size);
  std::size_t batch_size() const { return batch_size_; }
  std::size_t bytes() const { return bytes_; }
  // Byte offset of a field's column from the batch base.
  std::size_t column_offset(std::string_view field) const;
  // Copies record's fields into row `row` of the batch at base. O(record_bytes).
  void set_row(std::byte* base, std::size_t row, const std::byte* record) const;

 private:
  const TransitionSchema* schema_;
  std::size_t batch_size_, bytes_ = 0;
  std::vector<std::size_t> col_off_;
};

}  // namespace shmrl
