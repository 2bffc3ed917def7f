// ThreadSanitizer suppressions for this test binary (ignored by other builds).
//
// moodycamel::ConcurrentQueue (which carries priority updates between the service's threads)
// synchronises block reuse through std::atomic_thread_fence, which ThreadSanitizer does not model,
// so it reports its element copies as races. The header's own opt-out (MOODYCAMEL_NO_TSAN) needs
// clang's __has_feature and is empty under GCC, hence this, limited to the queue's own frames.
extern "C" const char* __tsan_default_suppressions() {
  return "race:moodycamel::ConcurrentQueue\n";
}
