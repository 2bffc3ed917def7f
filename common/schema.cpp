#include "common/schema.h"

#include <xxhash.h>

#include <cstring>
#include <stdexcept>

namespace shmrl {
namespace {

constexpr std::size_t align_up(std::size_t x, std::size_t a) { return (x + a - 1) / a * a; }

std::vector<int64_t> shape_of(const Space& s) { return s.kind == Space::Kind::Discrete ? std::vector<int64_t>{} : s.shape; }

}  // namespace

TransitionSchema::TransitionSchema(const Space& obs_space, const Space& action_space)
    : obs_(obs_space), action_(action_space) {
  if (obs_.numel() == 0) throw std::invalid_argument("transition schema: observation space is empty");
  if (action_.numel() == 0) throw std::invalid_argument("transition schema: action space is empty");
  // Widest fields first keeps every field naturally aligned without padding between them.
  struct Spec { std::string_view name; DType dtype; std::vector<int64_t> shape; std::size_t bytes; };
  const std::vector<Spec> specs = {
      {kPolicyVersion, DType::U64, {}, 8},
      {kObs, obs_.dtype, shape_of(obs_), obs_.bytes()},
      {kNextObs, obs_.dtype, shape_of(obs_), obs_.bytes()},
      {kAction, action_.dtype, shape_of(action_), action_.bytes()},
      {kReward, DType::F32, {}, 4},
      {kDiscount, DType::F32, {}, 4},
      {kInitialPriority, DType::F32, {}, 4},
      {kActorId, DType::U32, {}, 4},
  };
  std::size_t off = 0;
  XXH64_state_t* h = XXH64_createState();
  XXH64_reset(h, 0);
  for (const auto& s : specs) {
    off = align_up(off, dtype_size(s.dtype));
    fields_.push_back(Field{std::string(s.name), s.dtype, s.shape, off, s.bytes});
    XXH64_update(h, s.name.data(), s.name.size());
    XXH64_update(h, &s.dtype, sizeof(s.dtype));
    XXH64_update(h, s.shape.data(), s.shape.size() * sizeof(int64_t));
    off += s.bytes;
  }
  fingerprint_ = XXH64_digest(h);
  XXH64_freeState(h);
  record_bytes_ = align_up(off, 8);
  obs_off_ = field(kObs).offset;
  next_obs_off_ = field(kNextObs).offset;
  action_off_ = field(kAction).offset;
  reward_off_ = field(kReward).offset;
  discount_off_ = field(kDiscount).offset;
  prio_off_ = field(kInitialPriority).offset;
  version_off_ = field(kPolicyVersion).offset;
  actor_off_ = field(kActorId).offset;
}

const Field& TransitionSchema::field(std::string_view name) const {
  for (const auto& f : fields_)
    if (f.name == name) return f;
  throw std::out_of_range("transition schema has no field '" + std::string(name) + "'");
}

void TransitionSchema::pack(const TransitionRef& t, std::byte* r) const {
  std::memcpy(r + obs_off_, t.obs, obs_.bytes());
  std::memcpy(r + next_obs_off_, t.next_obs, obs_.bytes());
  std::memcpy(r + action_off_, t.action, action_.bytes());
  std::memcpy(r + reward_off_, &t.reward, 4);
  std::memcpy(r + discount_off_, &t.discount, 4);
  std::memcpy(r + prio_off_, &t.initial_priority, 4);
  std::memcpy(r + version_off_, &t.policy_version, 8);
  std::memcpy(r + actor_off_, &t.actor_id, 4);
  const std::size_t end = actor_off_ + 4;
  if (end < record_bytes_) std::memset(r + end, 0, record_bytes_ - end);  // no stale padding bytes
}

void TransitionSchema::set_initial_priority(std::byte* r, float priority) const {
  std::memcpy(r + prio_off_, &priority, 4);
}

TransitionRef TransitionSchema::unpack(const std::byte* r) const {
  TransitionRef t;
  t.obs = r + obs_off_;
  t.next_obs = r + next_obs_off_;
  t.action = r + action_off_;
  std::memcpy(&t.reward, r + reward_off_, 4);
  std::memcpy(&t.discount, r + discount_off_, 4);
  std::memcpy(&t.initial_priority, r + prio_off_, 4);
  std::memcpy(&t.policy_version, r + version_off_, 8);
  std::memcpy(&t.actor_id, r + actor_off_, 4);
  return t;
}

BatchLayout::BatchLayout(const TransitionSchema& schema, std::size_t batch_size)
    : schema_(&schema), batch_size_(batch_size) {
  if (batch_size == 0) throw std::invalid_argument("batch layout: batch_size must be > 0");
  for (const auto& f : schema.fields()) {
    col_off_.push_back(bytes_);
    bytes_ = align_up(bytes_ + f.bytes * batch_size, 64);
  }
}

std::size_t BatchLayout::column_offset(std::string_view name) const {
  const auto& fs = schema_->fields();
  for (std::size_t i = 0; i < fs.size(); ++i)
    if (fs[i].name == name) return col_off_[i];
  throw std::out_of_range("batch layout has no field '" + std::string(name) + "'");
}

void BatchLayout::set_row(std::byte* base, std::size_t row, const std::byte* record) const {
  const auto& fs = schema_->fields();
  for (std::size_t i = 0; i < fs.size(); ++i)
    std::memcpy(base + col_off_[i] + row * fs[i].bytes, record + fs[i].offset, fs[i].bytes);
}

}  // namespace shmrl
