#pragma once
// The regionlab-cli commands. Each takes its arguments (after the command name), prints its
// result on stdout (JSON with --json), and returns the exit status: 0 on success, 1 when the
// work failed (one line on stderr saying why), 2 for a usage error.
#include <string>
#include <vector>

namespace regionlab::cli {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};

int runIngest(const std::vector<std::string>& args);
int runQuery(const std::vector<std::string>& args);
int runInfo(const std::vector<std::string>& args);
int runClusters(const std::vector<std::string>& args);
int runExport(const std::vector<std::string>& args);
int runImport(const std::vector<std::string>& args);
int runModels(const std::vector<std::string>& args);
int runLearn(const std::vector<std::string>& args);
int runLabel(const std::vector<std::string>& args);
int runEval(const std::vector<std::string>& args);

const std::vector<Command>& commands();

}  // namespace regionlab::cli
