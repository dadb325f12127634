#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/pipeline/collection_status.h"

namespace regionlab::cli {

int runInfo(const std::vector<std::string>& args) {
  ArgumentParser p("info", "Shows a collection's counts, the models that made its regions and vectors, and every failed image\n"
                           "with its reason.");
  p.positional("folder", "The collection folder.").flag("json", "Print as JSON.");
  if (!p.parse(args)) return 0;
  const CollectionStatus s = readCollectionStatus(p.get("folder"));

  if (p.has("json")) {
    nlohmann::json models = nlohmann::json::array();
    for (const ModelUsage& u : s.models) {
      models.push_back({{"id", u.model.id}, {"kind", u.model.kind}, {"name", u.model.name}, {"sha256", u.model.sha256},
                        {"dim", u.model.dim}, {"regions", u.regions}});
    }
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& f : s.failures) failed.push_back({{"path", f.path}, {"reason", f.reason}});
    const nlohmann::json out = {{"folder", s.root.string()},
                                {"schema_version", s.schema_version},
                                {"images", s.image_files},
                                {"done", s.done},
                                {"failed", failed},
                                {"pending", s.pending},
                                {"regions", s.regions},
                                {"region_vectors", s.region_vectors},
                                {"active", {{"summary", s.active_models}, {"region_generator", s.region_generator}, {"descriptor", s.descriptor}}},
                                {"models", models}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("Collection: %s (schema v%d)\n", s.root.c_str(), s.schema_version);
  std::printf("Images: %lld in the folder: %lld done, %lld failed, %lld not ingested yet\n", (long long)s.image_files,
              (long long)s.done, (long long)s.failed, (long long)s.pending);
  std::printf("Regions: %lld, region vectors: %lld\n", (long long)s.regions, (long long)s.region_vectors);
  std::printf("Active models: %s\n", s.active_models.c_str());
  for (const ModelUsage& u : s.models) {
    std::printf("  %-17s %-12s %s…  %lld regions\n", u.model.kind.c_str(), u.model.name.c_str(), u.model.sha256.substr(0, 12).c_str(),
                (long long)u.regions);
  }
  for (const auto& f : s.failures) std::printf("failed: %s: %s\n", f.path.c_str(), f.reason.c_str());
  return 0;
}

}  // namespace regionlab::cli
