#pragma once
// Fuzz targets (common/fuzz.h) for the plain-C++ readers of untrusted bytes: the ring record decoder
// (a whole actor-ring segment image: attach, then consume every record it hands out) and the replay
// checkpoint reader. Usable in the sanitizer builds (no LibTorch). Each target owns what it needs
// (a scratch directory, a storage segment) and removes it when the last copy goes.
#include "common/fuzz.h"

namespace shmrl::replay {

fuzz::Target ring_records_target();
fuzz::Target replay_checkpoint_target();

}  // namespace shmrl::replay
