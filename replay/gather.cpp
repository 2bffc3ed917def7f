#include "replay/gather.h"

#include <cstring>

namespace shmrl::replay {
namespace {
template <std::size_t N>
void copy_column(std::byte* dst, const std::byte* const* records, std::size_t src, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) std::memcpy(dst + i * N, records[i] + src, N);
}
}  // namespace

Gatherer::Gatherer(const TransitionSchema& schema, const BatchLayout& layout) {
  for (const auto& f : schema.fields()) cols_.push_back({f.offset, layout.column_offset(f.name), f.bytes});
}

void Gatherer::gather(std::byte* batch, const std::byte* const* records, std::size_t n) const {
  for (const auto& c : cols_) {
    std::byte* dst = batch + c.dst;
    switch (c.bytes) {
      case 4: copy_column<4>(dst, records, c.src, n); break;
      case 8: copy_column<8>(dst, records, c.src, n); break;
      case 16: copy_column<16>(dst, records, c.src, n); break;
      case 32: copy_column<32>(dst, records, c.src, n); break;
      default:
        for (std::size_t i = 0; i < n; ++i) std::memcpy(dst + i * c.bytes, records[i] + c.src, c.bytes);
    }
  }
}

}  // namespace shmrl::replay
