#include "ui/async/serial_executor.h"

#include "ui/async/background_priority.h"

namespace regionlab::ui {

SerialExecutor::SerialExecutor() {
  // One thread: tasks run in submission order (QThreadPool is FIFO at equal priority).
  pool_.setMaxThreadCount(1);
  pool_.setExpiryTimeout(-1);
}

SerialExecutor::~SerialExecutor() { pool_.waitForDone(); }

}  // namespace regionlab::ui
