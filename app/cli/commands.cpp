#include "app/cli/commands.h"

namespace regionlab::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"ingest", "Cut a folder's images into regions, embed them and store them in <folder>/.regionlab", &runIngest},
      {"query", "Find the images holding something like a region (one-shot retrieval)", &runQuery},
      {"info", "Counts, models and failed images of a collection", &runInfo},
      {"clusters", "Group all regions into K clusters of similar regions (for bulk labeling)", &runClusters},
  };
  return kCommands;
}

}  // namespace regionlab::cli
