// regionlab-cli learn start|feedback|undo|name|show|list: the interactive learning loop
// (core/learning/concept_session.h) for scripts. Each call reopens the stored concept, applies
// its change, retrains (synchronously) and prints a page of results.
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/base/error.h"
#include "core/learning/concept_session.h"
#include "core/pipeline/active_models.h"
#include "core/storage/database.h"

namespace regionlab::cli {
namespace {

using nlohmann::json;

std::vector<int64_t> parseIds(const std::string& option, const std::string& text) {
  std::vector<int64_t> ids;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');) {
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used != item.size() || v <= 0) throw std::invalid_argument(item);
      ids.push_back(v);
    } catch (const std::exception&) {
      throw UsageError("--" + option + " expects comma-separated region ids, got '" + item + "'");
    }
  }
  return ids;
}

std::pair<int, int> parsePoint(const std::string& text) {
  int x = 0, y = 0;
  char comma = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &x, &comma, &y, &extra) != 3 || comma != ',') {
    throw UsageError("--point expects X,Y in pixels, got '" + text + "'");
  }
  return {x, y};
}

// Options every action that prints results shares.
void addPageOptions(ArgumentParser& p) {
  p.option("mode", "NAME", "Ranking: score (best first) or uncertain (nearest the decision boundary).", "score")
      .option("top", "K", "Results per page.", "20")
      .option("page", "N", "Page number (find more: 2, 3, ...).", "1")
      .flag("include-judged", "Keep images that already have feedback in this concept.")
      .flag("json", "Print as JSON.");
}

RankRequest pageRequest(const ArgumentParser& p) {
  RankRequest r;
  try {
    r.mode = rankingModeFromName(*p.value("mode"));
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  r.count = size_t(p.intValue("top", 1, 100000));
  r.offset = size_t(p.intValue("page", 1, 1000000) - 1) * r.count;
  r.skip_judged = !p.has("include-judged");
  return r;
}

// Vectors of the collection's active descriptor, for reopening a stored concept.
struct CollectionVectors {
  std::unique_ptr<Database> db;
  ActiveModels models;
  RegionVectorSet vectors;
};

CollectionVectors loadVectors(const std::string& folder) {
  const CollectionPaths paths(folder);
  if (!paths.hasDatabase()) throw Error(paths.root, "not a RegionLab collection yet (no .regionlab/regionlab.db): ingest it first");
  CollectionVectors c;
  c.db = Database::open(paths.database);
  c.models = resolveActiveModels(*c.db, {}, false);
  c.vectors = RegionVectorSet(c.models.descriptor->dim());
  c.vectors.appendFromDatabase(*c.db, c.models.descriptor_id);
  return c;
}

void printPage(ConceptSession& session, Database& db, const RankedPage& page, const std::optional<TrainingReport>& training, bool as_json) {
  const auto cls = session.conceptClass();
  if (as_json) {
    json results = json::array();
    for (const RankedHit& h : page.hits) {
      const auto image = db.readImage(h.image_id);
      results.push_back({{"image", image ? image->path : ""},
                         {"image_id", h.image_id},
                         {"region", h.region_id},
                         {"score", h.score},
                         {"probability", h.probability < 0 ? json() : json(h.probability)}});
    }
    json out = {{"concept", session.queryId()},
                {"class", cls ? json(cls->name) : json()},
                {"feedback_items", session.feedback().size()},
                {"ranker", page.ranker},
                {"classifier_version", page.classifier_version},
                {"total", page.total},
                {"results", results}};
    if (training) {
      out["training"] = {{"positives", training->positives}, {"negatives", training->negatives},
                         {"weak_negatives", training->weak_negatives}, {"missing_vectors", training->missing_vectors},
                         {"iterations", training->iterations}, {"converged", training->converged},
                         {"train_seconds", training->train_seconds}, {"score_seconds", training->score_seconds}};
    }
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("Concept %lld%s: %zu feedback items; ranked by %s", (long long)session.queryId(),
              cls ? (" (class " + cls->name + ")").c_str() : "", session.feedback().size(), page.ranker.c_str());
  if (training) {
    std::printf(" (trained on %zu positive, %zu negative + %zu random regions in %.1f ms, rescored in %.1f ms)", training->positives,
                training->negatives, training->weak_negatives, training->train_seconds * 1e3, training->score_seconds * 1e3);
  }
  std::printf("\n%4s  %8s  %6s  %8s  %s\n", "rank", "score", "prob", "region", "image");
  int rank = 1;
  for (const RankedHit& h : page.hits) {
    const auto image = db.readImage(h.image_id);
    std::printf("%4d  %8.4f  %6s  %8lld  %s\n", rank++, h.score, h.probability < 0 ? "-" : std::to_string(h.probability).substr(0, 6).c_str(),
                (long long)h.region_id, image ? image->path.c_str() : "?");
  }
  std::printf("%zu results in all\n", page.total);
}

int runStart(const std::vector<std::string>& args) {
  ArgumentParser p("learn start", "Starts a concept from a query region and shows the first results (ranked by the query alone).");
  p.positional("folder", "The collection folder (ingested).")
      .option("image", "PATH", "The query image (absolute, or relative to the folder).")
      .option("point", "X,Y", "Query with the smallest region containing this pixel.")
      .option("region", "ID", "Query with this region id.")
      .option("mask", "PNG", "Query with this mask (non-zero pixels), the size of --image.")
      .option("name", "CLASS", "Name the concept at once (a class; its accepted regions become labels).")
      .option("color", "#RRGGBB", "Colour of a new class.");
  addPageOptions(p);
  if (!p.parse(args)) return 0;
  if (int(p.has("point")) + int(p.has("region")) + int(p.has("mask")) != 1) throw UsageError("give exactly one of --point, --region or --mask");
  if ((p.has("point") || p.has("mask")) && !p.has("image")) throw UsageError("--point and --mask need --image");
  QuerySpec spec;
  spec.image = p.value("image").value_or("");
  if (p.has("point")) spec.point = parsePoint(*p.value("point"));
  if (p.has("region")) spec.region_id = p.intValue("region", 1, INT32_MAX);
  if (p.has("mask")) spec.mask_png = *p.value("mask");
  const RankRequest request = pageRequest(p);

  QueryEngine engine(p.get("folder"));
  const QueryVector query = engine.resolve(spec);
  auto session = ConceptSession::start(p.get("folder"), engine.index().vectors(), engine.models().descriptor_id, query);
  if (p.has("name")) session->assignClass(*p.value("name"), p.value("color").value_or(""));
  std::optional<TrainingReport> training;
  if (request.mode == RankingMode::Uncertainty) training = session->retrain();
  auto db = Database::open(CollectionPaths(p.get("folder")).database);
  printPage(*session, *db, session->rank(request), training, p.has("json"));
  return 0;
}

// feedback, undo, name, show: reopen the concept, change it, retrain, show a page.
int runOnConcept(const std::string& action, const std::vector<std::string>& args) {
  ArgumentParser p("learn " + action, action == "feedback" ? "Stores accept/reject verdicts on regions (one batch), retrains and re-ranks."
                                      : action == "undo"   ? "Takes back the newest feedback items, retrains and re-ranks."
                                      : action == "name"   ? "Names the concept: it becomes a class and its accepted regions user labels."
                                                           : "Retrains the concept's classifier and shows a page of results (find more: --page).");
  p.positional("folder", "The collection folder (ingested).").option("concept", "ID", "The concept (from 'learn start' or 'learn list').");
  if (action == "feedback") {
    p.option("accept", "ID[,ID]", "Regions that show the concept.").option("reject", "ID[,ID]", "Regions that do not.");
  } else if (action == "undo") {
    p.option("steps", "N", "How many feedback items to take back.", "1");
  } else if (action == "name") {
    p.option("name", "CLASS", "The class name.").option("color", "#RRGGBB", "Its colour (default: a palette colour).");
  }
  addPageOptions(p);
  if (!p.parse(args)) return 0;
  if (!p.has("concept")) throw UsageError("--concept is required");
  const RankRequest request = pageRequest(p);
  std::vector<FeedbackItem> items;
  if (action == "feedback") {
    for (const int64_t id : parseIds("accept", p.value("accept").value_or(""))) items.push_back({id, Verdict::Accept});
    for (const int64_t id : parseIds("reject", p.value("reject").value_or(""))) items.push_back({id, Verdict::Reject});
    if (items.empty()) throw UsageError("give --accept and/or --reject");
  }
  if (action == "name" && !p.has("name")) throw UsageError("--name is required");

  CollectionVectors c = loadVectors(p.get("folder"));
  auto session = ConceptSession::open(p.get("folder"), c.vectors, c.models.descriptor_id, p.intValue("concept", 1, INT32_MAX));
  if (action == "feedback") session->addFeedback(items);
  if (action == "undo") {
    const int steps = p.intValue("steps", 1, 1000000);
    for (int i = 0; i < steps; ++i) {
      if (!session->undoLastFeedback()) break;
    }
  }
  if (action == "name") session->assignClass(*p.value("name"), p.value("color").value_or(""));
  const TrainingReport training = session->retrain();
  printPage(*session, *c.db, session->rank(request), training, p.has("json"));
  return 0;
}

int runList(const std::vector<std::string>& args) {
  ArgumentParser p("learn list", "Lists the collection's concepts with their class and feedback counts.");
  p.positional("folder", "The collection folder.").flag("json", "Print as JSON.");
  if (!p.parse(args)) return 0;
  const CollectionPaths paths(p.get("folder"));
  if (!paths.hasDatabase()) throw Error(paths.root, "not a RegionLab collection yet (no .regionlab/regionlab.db): ingest it first");
  auto db = Database::open(paths.database);
  LabelStore labels(*db);
  json out = json::array();
  if (!p.has("json")) std::printf("%7s  %-20s  %6s  %6s  %8s  %s\n", "concept", "class", "accept", "reject", "items", "query image");
  for (const QuerySummary& s : FeedbackStore(*db).summarizeQueries()) {
    const auto cls = s.query.class_id ? labels.readClass(*s.query.class_id) : std::nullopt;
    const auto image = s.query.image_id ? db->readImage(*s.query.image_id) : std::nullopt;
    if (p.has("json")) {
      out.push_back({{"concept", s.query.id}, {"class", cls ? json(cls->name) : json()}, {"accepted", s.accepted},
                     {"rejected", s.rejected}, {"feedback_items", s.feedback_items}, {"image", image ? json(image->path) : json()},
                     {"region", s.query.region_id ? json(*s.query.region_id) : json()}, {"created_at", s.query.created_at}});
    } else {
      std::printf("%7lld  %-20s  %6lld  %6lld  %8lld  %s\n", (long long)s.query.id, cls ? cls->name.c_str() : "-", (long long)s.accepted,
                  (long long)s.rejected, (long long)s.feedback_items, image ? image->path.c_str() : "-");
    }
  }
  if (p.has("json")) std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

}  // namespace

int runLearn(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs("Usage: regionlab-cli learn start|feedback|undo|name|show|list <folder> [options]\n"
               "(see 'regionlab-cli learn <action> --help')\n",
               args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "start") return runStart(rest);
  if (args[0] == "list") return runList(rest);
  if (args[0] == "feedback" || args[0] == "undo" || args[0] == "name" || args[0] == "show") return runOnConcept(args[0], rest);
  throw UsageError("unknown action '" + args[0] + "' (start, feedback, undo, name, show or list)");
}

}  // namespace regionlab::cli
