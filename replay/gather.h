#pragma once
// Copies sampled records into a batch laid out by BatchLayout (the column offsets come from it, so
// the layout stays defined in one place). Same result as BatchLayout::set_row per row, but field
// by field with a fixed-size copy for the usual field sizes, so a row costs a few moves instead
// of one memcpy call per field; this is most of a sampled transition's cost.
//
// Threading: const after construction; any number of threads.
#include <cstddef>
#include <vector>

#include "common/schema.h"

namespace shmrl::replay {

class Gatherer {
 public:
  Gatherer(const TransitionSchema& schema, const BatchLayout& layout);
  // Row i of the batch at `batch` <- records[i], for i < n (n <= layout.batch_size()).
  void gather(std::byte* batch, const std::byte* const* records, std::size_t n) const;

 private:
  struct Column {
    std::size_t src, dst, bytes;  // offset in a record, column offset in the batch, item bytes
  };
  std::vector<Column> cols_;
};

}  // namespace shmrl::replay
