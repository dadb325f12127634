#pragma once
// Where tests find shared data, the CLI binary, and a place for artifacts.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace regionlab::test {

// ../shared beside the checkout, when present (golden checkpoints, public data sets).
std::optional<std::filesystem::path> sharedDir();
// In a Qt Test function: `REGIONLAB_REQUIRE_GOLDEN(dir);` declares dir = ../shared/golden, or
// skips the test with a reason when ../shared is absent.
#define REGIONLAB_REQUIRE_GOLDEN(dir)                                                     \
  const auto regionlab_shared_dir = regionlab::test::sharedDir();                         \
  if (!regionlab_shared_dir) QSKIP("../shared is absent: golden files are needed here"); \
  const std::filesystem::path dir = *regionlab_shared_dir / "golden"

// The regionlab-cli binary built with the tests.
std::filesystem::path cliBinary();
// build/test-artifacts (screenshots and reports worth keeping).
std::filesystem::path artifactsDir();

// Runs a command, returns its exit status and standard output (stderr goes to the test log).
struct CommandResult {
  int exit_code = -1;
  std::string output;
  std::string error;
};
CommandResult runCommand(const std::string& program, const std::vector<std::string>& args, int timeout_ms = 300000);

}  // namespace regionlab::test

