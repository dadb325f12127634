#pragma once
// Wall and CPU clocks for the benchmarks. CPU seconds (all threads of the process, user + system)
// are the figure to compare when other work shares the machine and inflates wall time.
#include <sys/resource.h>

#include <chrono>

namespace regionlab::bench {

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

inline double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace regionlab::bench
