#pragma once
// The result of work done off the GUI thread: a value, or the one-line reason it failed.
// Exceptions never cross threads; the GUI shows `error` (it carries the file, as
// regionlab::Error does).
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <QString>

#include "core/base/error.h"

namespace regionlab::ui {

template <typename T>
struct Outcome {
  std::optional<T> value;
  QString error;
  bool ok() const { return value.has_value(); }
};

// Runs fn() and captures its value or the reason of its failure.
template <typename Fn>
auto guarded(Fn&& fn) -> Outcome<std::invoke_result_t<Fn>> {
  using T = std::invoke_result_t<Fn>;
  try {
    return {std::optional<T>(fn()), {}};
  } catch (const Error& e) {
    return {std::nullopt, QString::fromStdString(e.what())};
  } catch (const std::exception& e) {
    return {std::nullopt, QString::fromStdString(e.what())};
  }
}

}  // namespace regionlab::ui
