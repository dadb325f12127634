#include <chrono>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/base/error.h"
#include "core/index/region_clusters.h"
#include "core/index/region_vector_set.h"
#include "core/pipeline/active_models.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab::cli {

int runClusters(const std::vector<std::string>& args) {
  ArgumentParser p("clusters",
                   "Groups all regions of a collection into K clusters of similar regions (DRC clustering of the active\n"
                   "descriptor's vectors), stores the grouping in the collection, and lists each cluster's most typical\n"
                   "regions, so a cluster can be labeled at once. Without --k, shows the stored grouping.");
  p.positional("folder", "The collection folder (ingested).")
      .option("k", "K", "Number of clusters (1 to 32768); clusters the collection again.")
      .option("show", "N", "Regions listed per cluster (most typical first).", "5")
      .option("seed", "S", "Seed of the clustering (the same seed gives the same clusters).", "1")
      .flag("json", "Print every cluster with all its regions as JSON.");
  if (!p.parse(args)) return 0;
  const auto show = size_t(p.intValue("show", 0, 1000000));

  const CollectionPaths paths(p.get("folder"));
  if (!paths.hasDatabase()) throw Error(paths.root, "not a RegionLab collection yet (no .regionlab/regionlab.db): ingest it first");
  auto db = Database::open(paths.database);
  const ActiveModels models = resolveActiveModels(*db, {}, false);
  RegionVectorSet vectors(models.descriptor->dim());
  vectors.appendFromDatabase(*db, models.descriptor_id);

  const auto start = std::chrono::steady_clock::now();
  std::optional<RegionClusters> clusters;
  if (p.has("k")) {
    ClusteringOptions options;
    options.k = uint32_t(p.intValue("k", 1, 32768));
    options.seed = uint64_t(p.intValue("seed", 0, INT32_MAX));
    clusters = RegionClusters::build(*db, models.descriptor_id, vectors, options);
  } else {
    clusters = RegionClusters::load(*db, models.descriptor_id, vectors);
    if (!clusters) throw Error(paths.root, "the collection has no clusters yet; run with --k K");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::map<int64_t, std::string> image_paths;
  auto imagePath = [&](int64_t id) -> const std::string& {
    auto it = image_paths.find(id);
    if (it == image_paths.end()) {
      const auto record = db->readImage(id);
      it = image_paths.emplace(id, record ? record->path : std::string()).first;
    }
    return it->second;
  };

  if (p.has("json")) {
    nlohmann::json list = nlohmann::json::array();
    for (const uint32_t c : clusters->clustersBySize()) {
      nlohmann::json members = nlohmann::json::array();
      for (const ClusterMember& m : clusters->members(c)) {
        members.push_back({{"region", m.region_id}, {"image", imagePath(m.image_id)}, {"similarity", m.similarity}});
      }
      list.push_back({{"cluster", c}, {"size", clusters->members(c).size()}, {"regions", members}});
    }
    const nlohmann::json out = {{"descriptor", models.descriptor->name()},
                                {"codebook", clusters->codebookRowId()},
                                {"regions", clusters->regionCount()},
                                {"seconds", seconds},
                                {"clusters", list}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%zu regions in %u clusters (descriptor %s, codebook %lld), %s in %.2f s\n", clusters->regionCount(), clusters->clusterCount(),
              models.descriptor->name().c_str(), (long long)clusters->codebookRowId(), p.has("k") ? "clustered" : "loaded", seconds);
  for (const uint32_t c : clusters->clustersBySize()) {
    const auto members = clusters->members(c);
    std::printf("cluster %u: %zu regions\n", c, members.size());
    for (size_t i = 0; i < std::min(show, members.size()); ++i) {
      std::printf("  region %-8lld %.4f  %s\n", (long long)members[i].region_id, members[i].similarity, imagePath(members[i].image_id).c_str());
    }
  }
  return 0;
}

}  // namespace regionlab::cli
