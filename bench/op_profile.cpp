#include "bench/op_profile.h"

#include <ATen/record_function.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

namespace shmrl::bench {
namespace {
using Clock = std::chrono::steady_clock;

struct State {
  int depth = 0;
  uint64_t calls = 0, top = 0;
  double top_ns = 0;
  std::map<std::string, double> ns_by_name;
};
thread_local State* g_state = nullptr;

struct Started : at::ObserverContext {
  Clock::time_point t0;
  bool top;
};

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction&) {
  auto ctx = std::make_unique<Started>();
  if (g_state) {
    ++g_state->calls;
    ctx->top = g_state->depth++ == 0;
    g_state->top += ctx->top;
  }
  ctx->t0 = Clock::now();
  return ctx;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext* c) {
  const auto t1 = Clock::now();
  auto* ctx = static_cast<Started*>(c);
  if (!g_state || !ctx) return;
  --g_state->depth;
  if (!ctx->top) return;
  const double ns = std::chrono::duration<double, std::nano>(t1 - ctx->t0).count();
  g_state->top_ns += ns;
  g_state->ns_by_name[fn.name()] += ns;
}
}  // namespace

OpProfile profile_ops(const std::function<void()>& step, int updates) {
  State state;
  g_state = &state;
  const auto handle = at::addThreadLocalCallback(at::RecordFunctionCallback(on_start, on_end));
  const auto t0 = Clock::now();
  for (int i = 0; i < updates; ++i) step();
  const double wall_ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  at::removeCallback(handle);
  g_state = nullptr;

  OpProfile p;
  p.updates = updates;
  p.us_per_update = wall_ns / 1e3 / updates;
  p.ops_per_update = static_cast<double>(state.calls) / updates;
  p.top_ops_per_update = static_cast<double>(state.top) / updates;
  p.top_op_share = state.top_ns / wall_ns;
  for (const auto& [name, ns] : state.ns_by_name) p.top_us_per_update.emplace_back(name, ns / 1e3 / updates);
  std::sort(p.top_us_per_update.begin(), p.top_us_per_update.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  return p;
}

}  // namespace shmrl::bench
