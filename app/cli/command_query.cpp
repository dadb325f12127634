#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/learning/one_shot_query.h"

namespace regionlab::cli {
namespace {

std::pair<int, int> parsePoint(const std::string& text) {
  int x = 0, y = 0;
  char comma = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &x, &comma, &y, &extra) != 3 || comma != ',') {
    throw UsageError("--point expects X,Y in pixels, got '" + text + "'");
  }
  return {x, y};
}

}  // namespace

int runQuery(const std::vector<std::string>& args) {
  ArgumentParser p("query", "Ranks the collection's images by their best region's similarity to a query region (the regions\n"
                            "paper's one-shot retrieval). The query is a stored region (--region), the smallest region under a\n"
                            "point of --image (--point), or a mask PNG the size of --image (--mask).");
  p.positional("folder", "The collection folder (ingested).")
      .option("image", "PATH", "The query image (absolute, or relative to the folder).")
      .option("point", "X,Y", "Query with the smallest region containing this pixel.")
      .option("region", "ID", "Query with this region id.")
      .option("mask", "PNG", "Query with this mask (non-zero pixels), the size of --image.")
      .option("top", "K", "Number of images to return.", "20")
      .option("index", "NAME",
              "Search method: exact (scan every region vector), hnsw (graph candidates, exact scores), drq (compact\n"
              "region codes scored with asymmetric tables, best candidates re-ranked exactly; needs a collection\n"
              "with codes) or auto (exact below 100k regions, hnsw above).",
              "auto")
      .flag("include-query-image", "Keep the query's own image in the results.")
      .flag("json", "Print the results as JSON.");
  if (!p.parse(args)) return 0;
  const int given = int(p.has("point")) + int(p.has("region")) + int(p.has("mask"));
  if (given != 1) throw UsageError("give exactly one of --point, --region or --mask");
  if ((p.has("point") || p.has("mask")) && !p.has("image")) throw UsageError("--point and --mask need --image");

  QuerySpec spec;
  spec.image = p.value("image").value_or("");
  if (p.has("point")) spec.point = parsePoint(*p.value("point"));
  if (p.has("region")) spec.region_id = p.intValue("region", 1, INT32_MAX);
  if (p.has("mask")) spec.mask_png = *p.value("mask");
  QueryOptions options;
  options.top_k = size_t(p.intValue("top", 1, 100000));
  options.include_query_image = p.has("include-query-image");
  try {
    options.method = searchMethodFromName(*p.value("index"));
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }

  QueryEngine engine(p.get("folder"));
  const QueryResult result = engine.run(spec, options);

  if (p.has("json")) {
    nlohmann::json results = nlohmann::json::array();
    for (const QueryHit& h : result.results) {
      results.push_back({{"image", h.image},
                         {"region", h.region_id},
                         {"score", h.score},
                         {"bbox", {h.bbox.x, h.bbox.y, h.bbox.width, h.bbox.height}}});
    }
    const nlohmann::json out = {
        {"query", {{"image", result.query_image}, {"region", result.query_region_id == 0 ? nlohmann::json() : nlohmann::json(result.query_region_id)}}},
        {"descriptor", result.descriptor},
        {"method", result.method},
        {"seconds", result.seconds},
        {"results", results}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("Query: %s, region %lld (%lld px); descriptor %s; %s search in %.1f ms\n", result.query_image.c_str(),
              (long long)result.query_region_id, (long long)result.query_region.area, result.descriptor.c_str(), result.method.c_str(),
              result.seconds * 1e3);
  std::printf("%4s  %6s  %8s  %-20s  %s\n", "rank", "score", "region", "bbox x,y,w,h", "image");
  int rank = 1;
  for (const QueryHit& h : result.results) {
    const std::string box = std::to_string(h.bbox.x) + "," + std::to_string(h.bbox.y) + "," + std::to_string(h.bbox.width) + "," +
                            std::to_string(h.bbox.height);
    std::printf("%4d  %6.4f  %8lld  %-20s  %s\n", rank++, h.score, (long long)h.region_id, box.c_str(), h.image.c_str());
  }
  return 0;
}

}  // namespace regionlab::cli
