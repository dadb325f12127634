// regionlab-cli models list|download|import|verify|use: the checkpoints of the manifest, where they
// are, whether they are verified, and which ones a collection uses and why.
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/base/error.h"
#include "core/models/model_selection.h"
#include "core/models/model_store.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab::cli {

namespace {

nlohmann::json statusJson(const ModelStatus& s) {
  const ModelManifestEntry& e = *s.entry;
  nlohmann::json j = {{"id", e.id}, {"kind", e.kind}, {"title", e.title}, {"file", e.file}, {"url", e.url},
                      {"size", e.size ? nlohmann::json(*e.size) : nlohmann::json(nullptr)}, {"license", e.license},
                      {"path", s.path.string()}, {"state", modelFileStateName(s.state)}, {"detail", s.detail}};
  if (s.record) j["sha256"] = s.record->sha256;
  return j;
}

void printStatus(const ModelStatus& s) {
  std::printf("  %-18s %-16s %-10s %s\n", s.entry->id.c_str(), s.entry->kind.c_str(), modelFileStateName(s.state).c_str(), s.detail.c_str());
}

int runList(const std::vector<std::string>& args) {
  ArgumentParser p("models list", "Lists the supported checkpoints, whether each is installed and verified, and (with --collection)\n"
                                  "which models the collection uses and why.");
  p.option("collection", "FOLDER", "Also show this collection's active models.").flag("json", "Print as JSON.");
  if (!p.parse(args)) return 0;
  const ModelStore store = ModelStore::openDefault();
  const std::vector<ModelStatus> all = store.statusOfAll();
  std::vector<ModelSelection> selections;
  if (const auto folder = p.value("collection")) {
    const CollectionPaths paths(*folder);
    auto db = Database::open(paths.database, Database::Access::ReadOnly);
    selections = readModelSelections(*db, store);
  }
  if (p.has("json")) {
    nlohmann::json models = nlohmann::json::array(), active = nlohmann::json::array();
    for (const ModelStatus& s : all) models.push_back(statusJson(s));
    for (const ModelSelection& s : selections) {
      active.push_back({{"kind", s.kind}, {"model", s.active}, {"explicit", s.explicit_choice}, {"reason", s.reason}});
    }
    const nlohmann::json out = {{"model_directory", store.directory().string()}, {"manifest", store.manifest().source.string()},
                                {"models", models}, {"active", active}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("Model directory: %s\n", store.directory().c_str());
  for (const ModelStatus& s : all) printStatus(s);
  if (!selections.empty()) {
    std::printf("Active models of %s:\n", p.value("collection")->c_str());
    for (const ModelSelection& s : selections) std::printf("  %-16s %-18s %s\n", s.kind.c_str(), s.active.c_str(), s.reason.c_str());
  }
  return 0;
}

int runDownload(const std::vector<std::string>& args) {
  ArgumentParser p("models download", "Downloads a checkpoint into the model directory: progress on stderr, resume of an interrupted\n"
                                      "download, size and checksum verification, atomic rename. Offline? Use 'models import'.");
  p.positional("model", "Model id (see 'regionlab-cli models list').")
      .option("url", "URL", "Download from this URL instead (a mirror); the manifest's checks still apply.")
      .flag("quiet", "No progress output.");
  if (!p.parse(args)) return 0;
  ModelStore store = ModelStore::openDefault();
  DownloadOptions options;
  auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  if (!p.has("quiet")) {
    options.progress = [&](const DownloadProgress& d) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::milliseconds(500)) return true;
      last = now;
      if (d.total > 0) std::fprintf(stderr, "\r%s %.1f / %.1f MB (%.0f%%)", d.resumed ? "resuming" : "downloading", d.received / 1048576.0, d.total / 1048576.0, 100.0 * double(d.received) / double(d.total));
      else std::fprintf(stderr, "\rdownloading %.1f MB", d.received / 1048576.0);
      return true;
    };
  }
  const ModelStatus s = store.download(p.get("model"), options, p.value("url").value_or(""));
  if (!p.has("quiet")) std::fputs("\n", stderr);
  std::printf("%s: %s (%s)\n", s.entry->id.c_str(), s.path.c_str(), s.detail.c_str());
  return 0;
}

int runImportModel(const std::vector<std::string>& args) {
  ArgumentParser p("models import", "Installs a checkpoint file you already have (copied, or referenced with --reference), after checking\n"
                                    "its size and hash against the manifest.");
  p.positional("model", "Model id.").positional("file", "The checkpoint file.").flag("reference", "Link to the file instead of copying it.");
  if (!p.parse(args)) return 0;
  ModelStore store = ModelStore::openDefault();
  const ModelStatus s = store.importFile(p.get("model"), p.get("file"), p.has("reference") ? ImportMode::Reference : ImportMode::Copy);
  std::printf("%s: %s (%s)\n", s.entry->id.c_str(), s.path.c_str(), s.detail.c_str());
  return 0;
}

int runVerify(const std::vector<std::string>& args) {
  ArgumentParser p("models verify", "Hashes installed checkpoints and compares them with the published hash, or with the SHA-256\n"
                                    "recorded at their first verified download. Exit status 1 when any does not match.");
  p.option("model", "ID", "Only this model (default: every installed one).");
  if (!p.parse(args)) return 0;
  ModelStore store = ModelStore::openDefault();
  bool all_good = true;
  int checked = 0;
  for (const ModelManifestEntry& e : store.manifest().models) {
    if (p.value("model") && *p.value("model") != e.id && *p.value("model") != e.file) continue;
    const ModelStatus before = store.status(e.id);
    if (before.state == ModelFileState::Missing || before.state == ModelFileState::Partial) {
      if (p.value("model")) printStatus(before);
      continue;
    }
    const ModelStatus s = store.verify(e.id);
    printStatus(s);
    ++checked;
    all_good = all_good && s.state == ModelFileState::Verified;
  }
  if (p.value("model")) store.manifest().require(*p.value("model"));
  if (checked == 0 && !p.value("model")) std::printf("No checkpoint installed in %s\n", store.directory().c_str());
  return all_good ? 0 : 1;
}

int runUse(const std::vector<std::string>& args) {
  ArgumentParser p("models use", "Chooses the model a collection uses for its role (region generator, descriptor or global), saved\n"
                                 "in the collection. 'default', 'classical' and 'bovw' are the embedded defaults (give --kind).");
  p.positional("folder", "The collection folder.")
      .positional("model", "Model id, or an embedded default's name, or 'reset' (with --kind) to forget the choice.")
      .option("kind", "KIND", "region_generator, descriptor or global (needed for embedded names and reset).");
  if (!p.parse(args)) return 0;
  const CollectionPaths paths(p.get("folder"));
  paths.createDataDirs();
  auto db = Database::open(paths.database);
  const ModelStore store = ModelStore::openDefault();
  const std::string kind = p.value("kind").value_or("");
  if (p.get("model") == "reset") {
    if (kind.empty()) throw UsageError("'reset' needs --kind");
    resetModelSelection(*db, kind);
    std::printf("%s: back to the embedded default (%s)\n", kind.c_str(), embeddedModelName(kind).c_str());
    return 0;
  }
  const ModelSelection s = selectModel(*db, store, p.get("model"), kind);
  std::printf("%s: %s — %s\n", s.kind.c_str(), s.active.c_str(), s.reason.c_str());
  std::printf("Regions and vectors of earlier models stay in the database; run 'regionlab-cli ingest' to compute the new ones.\n");
  return 0;
}

}  // namespace

int runModels(const std::vector<std::string>& args) {
  const std::string sub = args.empty() || args[0].rfind("--", 0) == 0 ? "list" : args[0];
  const std::vector<std::string> rest = args.empty() || args[0].rfind("--", 0) == 0 ? args : std::vector<std::string>(args.begin() + 1, args.end());
  if (sub == "list") return runList(rest);
  if (sub == "download") return runDownload(rest);
  if (sub == "import") return runImportModel(rest);
  if (sub == "verify") return runVerify(rest);
  if (sub == "use") return runUse(rest);
  if (sub == "help") {
    std::printf("Usage: regionlab-cli models [list|download|import|verify|use] …  (each with --help)\n");
    return 0;
  }
  throw UsageError("unknown models subcommand '" + sub + "' (list, download, import, verify, use)");
}

}  // namespace regionlab::cli
