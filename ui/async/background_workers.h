#pragma once
// Threads for background work that the GUI thread hands jobs to without ever waiting. The
// workers run at a lower priority than the GUI (background_priority.h), so on a loaded machine
// one of them may be descheduled while it holds the queue's lock; a GUI thread that then waited
// for the lock would stall for as long as the worker is kept off the CPU (priority inversion:
// 200 ms measured with ten busy processes on two cores). tryPost() therefore only takes the lock
// when it is free and otherwise says "try again", which the caller does a moment later.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace regionlab::ui {

class BackgroundWorkers {
public:
  explicit BackgroundWorkers(int threads);
  ~BackgroundWorkers();  // drops queued jobs, waits for the running ones
  BackgroundWorkers(const BackgroundWorkers&) = delete;
  BackgroundWorkers& operator=(const BackgroundWorkers&) = delete;

  // Queues the job unless the queue is locked at this instant (then false: post it again later).
  // Never blocks.
  bool tryPost(std::function<void()> job);
  int threadCount() const { return int(threads_.size()); }

private:
  void work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace regionlab::ui
