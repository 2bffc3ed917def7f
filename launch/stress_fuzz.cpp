#include "launch/stress_fuzz.h"

#include <sys/mman.h>
#include <sys/wait.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "launch/child.h"
#include "launch/fuzz_targets.h"
#include "launch/stress_outcome.h"

namespace shmrl::launch {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr std::size_t kInputMax = 16 << 20;  // the shared copy of the input being parsed

// An anonymous shared mapping both sides of the fork see: the length, then the bytes.
struct SharedInput {
  std::byte* base = nullptr;
  SharedInput() {
    void* p = ::mmap(nullptr, sizeof(uint64_t) + kInputMax, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error(std::string("fuzz: cannot map the shared input: ") + std::strerror(errno));
    base = static_cast<std::byte*>(p);
  }
  ~SharedInput() { ::munmap(base, sizeof(uint64_t) + kInputMax); }
  void set(const fuzz::Bytes& in) {
    const uint64_t n = std::min(in.size(), kInputMax);
    std::memcpy(base + sizeof n, in.data(), n);
    std::memcpy(base, &n, sizeof n);
  }
  fuzz::Bytes get() const {
    uint64_t n = 0;
    std::memcpy(&n, base, sizeof n);
    n = std::min<uint64_t>(n, kInputMax);
    return fuzz::Bytes(base + sizeof n, base + sizeof n + n);
  }
};

std::string stamp() {
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::gmtime(&now));
  return buf;
}

}  // namespace

int run_fuzz(const StressArgs& args) {
  const std::vector<std::string> names = args.fuzz_targets.empty() ? fuzz_target_names() : args.fuzz_targets;
  for (const auto& n : names) {
    if (std::find(fuzz_target_names().begin(), fuzz_target_names().end(), n) == fuzz_target_names().end()) {
      std::string known;
      for (const auto& k : fuzz_target_names()) known += (known.empty() ? "" : ", ") + k;
      std::cerr << "shmrl stress: unknown fuzz target '" << n << "': known are " << known << "\n";
      return 2;
    }
  }
  if (!single_threaded()) {
    std::cerr << "shmrl stress --fuzz: this process is not single-threaded, so it cannot fork the targets\n";
    return 1;
  }
  const fs::path out = args.out_dir.empty() ? fs::path("runs/stress") / ("fuzz-" + stamp()) : fs::path(args.out_dir);
  fs::create_directories(out);
  std::cout << "fuzz: " << names.size() << " target(s), " << cell(args.fuzz_s) << " s each, seed " << args.seed
            << ", into " << out.string() << std::endl;
  SharedInput shared;
  json doc = {{"seed", args.seed}, {"seconds_per_target", args.fuzz_s}};
  bool ok = true;
  std::printf("%-26s %9s %9s %9s %8s  %s\n", "target", "runs", "accepted", "refused", "findings", "sample refusal");
  for (const auto& name : names) {
    const fs::path result = out / ("fuzz-" + name + ".json"), log = out / ("fuzz-" + name + ".log");
    Child c = Child::fork_run("shmrl fuzz " + name, log.string(), [&] {
      const fuzz::Target t = make_fuzz_target(name);
      const fuzz::Stats st = fuzz::run(t, args.seed, args.fuzz_s, UINT64_MAX, [&](const fuzz::Bytes& in) { shared.set(in); });
      json j = {{"target", name}, {"runs", st.runs}, {"accepted", st.accepted}, {"refused", st.refused},
                {"findings", st.findings}, {"example_refusal", st.example_refusal}};
      std::ofstream(result) << j.dump(2) << "\n";
      return st.findings.empty() ? 0 : 1;
    });
    if (!c.wait_until(std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::seconds>(
                                                              std::chrono::duration<double>(args.fuzz_s + 120)))) {
      c.signal_group(SIGKILL);
      c.wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    }
    const int status = c.poll().value_or(0);
    std::ifstream in(result);
    json j = in ? json::parse(in, nullptr, false) : json();
    if (j.is_discarded() || !j.is_object()) j = {{"target", name}, {"findings", json::array()}};
    if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && j["findings"].empty())) {
      // It crashed (or died another way) on the input in the shared copy: keep it.
      const fs::path crash = out / ("fuzz-" + name + "-crash.bin");
      const fuzz::Bytes bad = shared.get();
      std::ofstream(crash, std::ios::binary).write(reinterpret_cast<const char*>(bad.data()), static_cast<std::streamsize>(bad.size()));
      j["findings"].push_back(describe_wait_status(status) + " on the input saved as " + crash.string() + " (log: " +
                              log.string() + ")");
    }
    ok = ok && j["findings"].empty();
    const std::string refusal = j.value("example_refusal", "");
    std::printf("%-26s %9s %9s %9s %8zu  %s\n", name.c_str(), j.value("runs", json(0)).dump().c_str(),
                j.value("accepted", json(0)).dump().c_str(), j.value("refused", json(0)).dump().c_str(), j["findings"].size(),
                refusal.substr(0, 110).c_str());
    for (const auto& f : j["findings"]) std::printf("  finding: %s\n", f.get<std::string>().c_str());
    doc["targets"].push_back(j);
  }
  std::ofstream(out / "fuzz.json") << doc.dump(2) << "\n";
  std::cout << "fuzz done: " << (ok ? "0 findings" : "FINDINGS") << ", " << (out / "fuzz.json").string() << std::endl;
  return ok ? 0 : 1;
}

}  // namespace shmrl::launch
