#pragma once
// Runs tasks one at a time, in the order given, on a thread of its own: what a Database (one
// thread at a time) or a QueryEngine needs. Results come back as QFutures; attach
// `.then(context, …)` to continue on the GUI thread.
#include <utility>

#include <QFuture>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include "ui/async/outcome.h"

namespace regionlab::ui {

class SerialExecutor {
public:
  SerialExecutor();
  ~SerialExecutor();  // waits for the tasks already queued
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;

  // fn() runs on the executor's thread; its value or failure is the future's Outcome.
  template <typename Fn>
  auto run(Fn fn) {
    return QtConcurrent::run(&pool_, [fn = std::move(fn)]() mutable { return guarded(fn); });
  }
  void waitForDone() { pool_.waitForDone(); }

private:
  QThreadPool pool_;
};

}  // namespace regionlab::ui
