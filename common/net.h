#pragma once
// Small socket helpers (plain C++).

namespace shmrl {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed): for the
// launcher's learner.master_port and for tests. Another process may take it before it is used.
// Throws std::runtime_error with the errno text if no socket can be bound.
int pick_free_port();

}  // namespace shmrl
