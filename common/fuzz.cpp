#include "common/fuzz.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>

namespace shmrl::fuzz {
namespace {

constexpr std::size_t kMaxFindings = 8;
constexpr std::size_t kMaxCorpus = 64;  // accepted mutants kept to mutate further

// Values that tend to sit on a reader's boundaries: sizes, counts, signs.
constexpr uint64_t kInteresting[] = {0, 1, 2, 7, 8, 16, 63, 64, 127, 128, 255, 256, 4095, 4096, 65535, 65536,
                                     0x7fffffffu, 0x80000000u, 0xffffffffu, 0x7fffffffffffffffull,
                                     0x8000000000000000ull, ~0ull, ~0ull - 1};

std::size_t below(std::mt19937_64& rng, std::size_t n) {
  return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}

}  // namespace

Bytes to_bytes(const std::string& s) {
  Bytes b(s.size());
  std::memcpy(b.data(), s.data(), s.size());
  return b;
}

void mutate(Bytes& in, std::mt19937_64& rng, const std::vector<Bytes>& pool,
            const std::vector<std::string>& dictionary) {
  const std::size_t n = in.size();
  switch (below(rng, dictionary.empty() ? 8 : 9)) {
    case 0:  // flip a bit
      if (n) in[below(rng, n)] ^= std::byte{static_cast<unsigned char>(1u << below(rng, 8))};
      break;
    case 1:  // a random byte
      if (n) in[below(rng, n)] = std::byte{static_cast<unsigned char>(rng())};
      break;
    case 2: {  // an interesting integer of 1, 2, 4 or 8 bytes, either sign
      const std::size_t w = std::size_t{1} << below(rng, 4);
      if (n < w) break;
      uint64_t v = kInteresting[below(rng, std::size(kInteresting))];
      if (rng() & 1) v = ~v + 1;
      std::memcpy(in.data() + below(rng, n - w + 1), &v, w);
      break;
    }
    case 3: {  // delete a chunk
      if (!n) break;
      const std::size_t at = below(rng, n), len = 1 + below(rng, std::min<std::size_t>(n - at, 64));
      in.erase(in.begin() + at, in.begin() + at + len);
      break;
    }
    case 4: {  // duplicate a chunk of itself somewhere
      if (!n) break;
      const std::size_t from = below(rng, n), len = 1 + below(rng, std::min<std::size_t>(n - from, 64));
      const Bytes chunk(in.begin() + from, in.begin() + from + len);
      in.insert(in.begin() + below(rng, n + 1), chunk.begin(), chunk.end());
      break;
    }
    case 5:  // truncate
      in.resize(below(rng, n + 1));
      break;
    case 6: {  // splice: a prefix of this one, the rest of another
      const Bytes& other = pool[below(rng, pool.size())];
      const std::size_t cut = below(rng, std::min(n, other.size()) + 1);
      in.resize(cut);
      in.insert(in.end(), other.begin() + cut, other.end());
      break;
    }
    case 7: {  // random bytes inserted
      const std::size_t len = 1 + below(rng, 16), at = below(rng, n + 1);
      Bytes r(len);
      for (auto& b : r) b = std::byte{static_cast<unsigned char>(rng())};
      in.insert(in.begin() + at, r.begin(), r.end());
      break;
    }
    default: {  // a dictionary token, inserted or overwriting
      const std::string& tok = dictionary[below(rng, dictionary.size())];
      const std::size_t at = below(rng, n + 1);
      if ((rng() & 1) && at + tok.size() <= n) std::memcpy(in.data() + at, tok.data(), tok.size());
      else in.insert(in.begin() + at, reinterpret_cast<const std::byte*>(tok.data()),
                     reinterpret_cast<const std::byte*>(tok.data()) + tok.size());
    }
  }
}

Stats run(const Target& t, uint64_t seed, double seconds, uint64_t max_runs,
          const std::function<void(const Bytes&)>& before_run) {
  std::mt19937_64 rng(seed);
  std::vector<Bytes> corpus = t.seeds;
  std::size_t max_size = 1024;
  for (const auto& s : t.seeds) max_size = std::max(max_size, 2 * s.size());
  Stats st;
  auto finding = [&](const std::string& what, const Bytes& in) {
    if (st.findings.size() < kMaxFindings)
      st.findings.push_back(t.name + ": " + what + " (input of " + std::to_string(in.size()) + " bytes, run " +
                            std::to_string(st.runs) + ")");
  };
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  Bytes in;
  while (st.runs < max_runs && (st.runs % 64 != 0 || std::chrono::steady_clock::now() < end)) {
    in = corpus[below(rng, corpus.size())];
    for (std::size_t m = 1 + below(rng, 4); m > 0; --m) mutate(in, rng, corpus, t.dictionary);
    if (in.size() > max_size) in.resize(max_size);
    if (before_run) before_run(in);
    ++st.runs;
    try {
      t.run(in);
      ++st.accepted;
      if (corpus.size() < kMaxCorpus) corpus.push_back(in);
      else corpus[t.seeds.size() + below(rng, kMaxCorpus - t.seeds.size())] = in;
    } catch (const std::exception& e) {
      ++st.refused;
      if (std::strlen(e.what()) == 0) finding("refused with an empty message", in);
      else if (st.example_refusal.empty()) st.example_refusal = e.what();
    } catch (...) {
      finding("threw something that is not a std::exception", in);
    }
  }
  return st;
}

}  // namespace shmrl::fuzz
