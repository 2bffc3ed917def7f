#include "replay/selectors/selector.h"

#include "replay/selectors/prioritized.h"
#include "replay/selectors/uniform.h"

namespace shmrl::replay {

std::unique_ptr<Selector> make_selector(SelectorKind kind, std::size_t capacity, double alpha) {
  if (kind == SelectorKind::Prioritized) return std::make_unique<PrioritizedSelector>(capacity, alpha);
  return std::make_unique<UniformSelector>();
}

}  // namespace shmrl::replay
