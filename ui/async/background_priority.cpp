#include "ui/async/background_priority.h"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace regionlab::ui {

void lowerCurrentThreadPriority() {
#if defined(__linux__)
  // On Linux the nice value belongs to the thread (PRIO_PROCESS with a thread id), unlike
  // QThread::setPriority, which has no effect under the default SCHED_OTHER policy.
  constexpr int kBackgroundNice = 10;
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  if (::getpriority(PRIO_PROCESS, tid) < kBackgroundNice) ::setpriority(PRIO_PROCESS, tid, kBackgroundNice);
#endif
}

}  // namespace regionlab::ui
