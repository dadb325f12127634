// regionlab-bench: speed and memory measurements, run by hand or by scripts (never by ctest).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "bench/benchmarks.h"

int main(int argc, char** argv) {
  // Line-buffered even into a file or pipe: a long run stopped by a timeout keeps the lines it printed.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto& all = regionlab::bench::benchmarks();
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::puts("Usage: regionlab-bench <benchmark> [arguments]\n\nBenchmarks:");
    for (const auto& b : all) std::printf("  %-8s %s\n           %s\n", b.name, b.usage, b.summary);
    return args.empty() ? 2 : 0;
  }
  const auto it = std::find_if(all.begin(), all.end(), [&](const auto& b) { return args[0] == b.name; });
  if (it == all.end()) {
    std::fprintf(stderr, "regionlab-bench: unknown benchmark '%s'\n", args[0].c_str());
    return 2;
  }
  try {
    return it->run({args.begin() + 1, args.end()});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "regionlab-bench %s: %s\n", it->name, e.what());
    return 1;
  }
}
