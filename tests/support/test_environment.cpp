#include "tests/support/test_environment.h"

#include <QProcess>
#include <QString>
#include <QStringList>

namespace regionlab::test {

std::optional<std::filesystem::path> sharedDir() {
  if (const char* env = std::getenv("REGIONLAB_SHARED_DIR"); env && std::filesystem::is_directory(env)) return std::filesystem::path(env);
  const std::filesystem::path dir(REGIONLAB_SHARED_DIR);
  if (std::filesystem::is_directory(dir)) return std::filesystem::weakly_canonical(dir);
  return std::nullopt;
}

std::filesystem::path cliBinary() {
  if (const char* env = std::getenv("REGIONLAB_CLI"); env && std::filesystem::exists(env)) return env;
  return std::filesystem::path(REGIONLAB_BINARY_DIR) / "bin" / "regionlab-cli";
}

std::filesystem::path artifactsDir() {
  const std::filesystem::path dir(REGIONLAB_TEST_ARTIFACTS);
  std::filesystem::create_directories(dir);
  return dir;
}

CommandResult runCommand(const std::string& program, const std::vector<std::string>& args, int timeout_ms) {
  QProcess process;
  QStringList list;
  for (const auto& a : args) list << QString::fromStdString(a);
  process.start(QString::fromStdString(program), list);
  CommandResult result;
  if (!process.waitForStarted()) {
    result.error = "cannot start " + program;
    return result;
  }
  if (!process.waitForFinished(timeout_ms)) {
    process.kill();
    process.waitForFinished();
    result.error = "timed out";
    return result;
  }
  result.exit_code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  result.output = process.readAllStandardOutput().toStdString();
  result.error = process.readAllStandardError().toStdString();
  return result;
}

}  // namespace regionlab::test
