#pragma once
// The message of the regionlab::Error a call throws, for asserting that bad input is named.
#include <string>

#include "core/base/error.h"

namespace regionlab::test {

// Runs f and returns the Error's message, or "<no error>" when nothing is thrown (another
// exception type propagates and fails the test).
template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace regionlab::test
