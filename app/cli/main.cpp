// regionlab-cli: every RegionLab operation from the command line, over the same core library
// as the GUI. Errors print one line on stderr and exit non-zero.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/base/build_info.h"
#include "core/base/error.h"

namespace {

void printUsage(FILE* out) {
  std::fputs("Usage: regionlab-cli <command> [arguments] [--json]\n\nRegion-based labeling and search of image collections.\n\nCommands:\n",
             out);
  for (const auto& c : regionlab::cli::commands()) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fputs("\nRun 'regionlab-cli <command> --help' for a command's options.\n", out);
}

std::string oneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    printUsage(stderr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    if (args.size() > 1) {
      args = {args[1], "--help"};
    } else {
      printUsage(stdout);
      return 0;
    }
  }
  if (args[0] == "--version") {
    std::printf("regionlab-cli %s (%s)\n", regionlab::regionlabVersion().c_str(), regionlab::libraryVersions().c_str());
    return 0;
  }
  const auto& all = regionlab::cli::commands();
  const auto command = std::find_if(all.begin(), all.end(), [&](const auto& c) { return args[0] == c.name; });
  if (command == all.end()) {
    std::fprintf(stderr, "regionlab-cli: unknown command '%s' (run 'regionlab-cli --help' for the list)\n", args[0].c_str());
    return 2;
  }
  try {
    return command->run({args.begin() + 1, args.end()});
  } catch (const regionlab::cli::UsageError& e) {
    std::fprintf(stderr, "regionlab-cli %s: %s (see 'regionlab-cli %s --help')\n", command->name, oneLine(e.what()).c_str(), command->name);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "regionlab-cli %s: %s\n", command->name, oneLine(e.what()).c_str());
    return 1;
  }
}
