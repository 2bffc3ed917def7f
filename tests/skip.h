#pragma once
// A test that cannot run here says so instead of passing. Under ctest, which sets
// SHMRL_SKIP_RETURN_CODE for every test and reports that exit code as "Skipped"
// (tests/CMakeLists.txt), the test process exits with it; run directly, a warning says so and the
// test returns. Catch2 v2 (Debian bookworm) has no skip of its own.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace shmrl::test {

inline void report_skip(const std::string& why) {
  std::cout << "SKIPPED: " << why << std::endl;
  if (const char* code = std::getenv("SHMRL_SKIP_RETURN_CODE")) std::_Exit(std::atoi(code));
  WARN("SKIPPED: " << why);
}

}  // namespace shmrl::test

// Ends the current test case as skipped, saying why.
#define SHMRL_SKIP(why)                \
  do {                                 \
    ::shmrl::test::report_skip(why);   \
    return;                            \
  } while (false)
