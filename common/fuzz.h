#pragma once
// A seeded mutational fuzzer for the readers of untrusted bytes (config files, checkpoints, weight
// blobs, ring segments): each run takes a seed input or an earlier accepted mutant, applies 1-4
// random mutations (bit flips, interesting integers, chunk deletion/insertion/duplication,
// truncation, splicing with another input, dictionary tokens) and hands it to the target. Same
// seed, same inputs. Run it under ASan/UBSan (`./launch/test --sanitize address`) to turn memory
// errors into findings; `shmrl stress --fuzz SECONDS` runs each target in its own process and saves
// an input that crashed it.
// Plain C++; one fuzz() call per thread.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace shmrl::fuzz {

using Bytes = std::vector<std::byte>;

Bytes to_bytes(const std::string& s);

struct Target {
  std::string name;
  std::vector<Bytes> seeds;               // well-formed inputs (at least one)
  std::vector<std::string> dictionary;    // tokens worth inserting (keywords, magics); may be empty
  // Parses an input: returns if it accepts it, throws a std::exception with a message saying what is
  // wrong if it refuses it. Anything else is a finding: a crash, a sanitizer report, an exception
  // not derived from std::exception, or one with an empty message.
  std::function<void(const Bytes&)> run;
};

struct Stats {
  uint64_t runs = 0, accepted = 0, refused = 0;
  std::vector<std::string> findings;  // the first few, in words
  std::string example_refusal;        // one refusal message, to show what a user sees
};

// Fuzzes `t` for up to `seconds` or `max_runs` runs, whichever ends first. `before_run`, if set, is
// called with each input before the target sees it (to keep a copy that survives a crash).
Stats run(const Target& t, uint64_t seed, double seconds, uint64_t max_runs,
          const std::function<void(const Bytes&)>& before_run = {});

// One mutation of `in` (pool: other inputs to splice from). Exposed for tests.
void mutate(Bytes& in, std::mt19937_64& rng, const std::vector<Bytes>& pool,
            const std::vector<std::string>& dictionary);

}  // namespace shmrl::fuzz
