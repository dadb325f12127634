#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/io/label_exchange.h"

namespace regionlab::cli {

int runImport(const std::vector<std::string>& args) {
  ArgumentParser p("import",
                   "Imports labels as user labels, in one transaction: a file with any error adds nothing. Images are\n"
                   "matched to the collection's ingested images by path (then by path suffix, stem or file name); images\n"
                   "that match none fail the import unless --skip-missing. Importing the same file twice adds nothing.");
  p.positional("folder", "The collection folder (ingested).")
      .positional("source", "coco / coco-panoptic: the JSON file; yolo-seg: the folder with labels/ and data.yaml; labelme: a JSON or a folder.")
      .option("format", "NAME", "coco, coco-panoptic, yolo-seg or labelme.", "coco")
      .option("class-map", "FILE", "JSON object mapping the file's class names to the collection's (null leaves a class out).")
      .flag("only-existing-classes", "Refuse classes the collection does not have yet instead of creating them.")
      .flag("skip-missing", "Skip images that are not ingested images of the collection (listed in the report).")
      .option("names", "FILE", "YOLO-seg: the YAML with the class names (default: data.yaml in the source folder).")
      .option("png-dir", "DIR", "COCO panoptic: the PNG folder (default: the JSON's path without .json).")
      .flag("dry-run", "Validate and count, write nothing.")
      .flag("json", "Print the report as JSON.");
  if (!p.parse(args)) return 0;
  LabelImportOptions options;
  options.format = labelFormatFromName(*p.value("format"));
  if (const auto map = p.value("class-map")) options.class_map = readClassMapFile(*map);
  options.only_existing_classes = p.has("only-existing-classes");
  options.missing_images = p.has("skip-missing") ? MissingImagePolicy::Skip : MissingImagePolicy::Fail;
  if (const auto names = p.value("names")) options.yolo_names = *names;
  if (const auto pngs = p.value("png-dir")) options.panoptic_pngs = *pngs;
  options.dry_run = p.has("dry-run");
  const LabelImportReport r = importCollectionLabels(p.get("folder"), p.get("source"), options);
  if (p.has("json")) {
    const nlohmann::json out = {{"images_in_file", r.images_in_file}, {"images_matched", r.images_matched},
                                {"missing_images", r.missing_images}, {"instances_read", r.instances_read},
                                {"instances_left_out", r.instances_left_out}, {"regions_added", r.written.regions_added},
                                {"regions_reused", r.written.regions_reused}, {"labels_added", r.written.labels_added},
                                {"labels_existing", r.written.labels_existing}, {"classes_added", r.written.classes_added},
                                {"dry_run", options.dry_run}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%s %d of %d image(s): %d instance(s) read, %d left out by the class map\n", options.dry_run ? "Checked" : "Imported",
              r.images_matched, r.images_in_file, r.instances_read, r.instances_left_out);
  if (!options.dry_run) {
    std::printf("Labels: %d added, %d already there; regions: %d added, %d reused; classes added: %d\n", r.written.labels_added,
                r.written.labels_existing, r.written.regions_added, r.written.regions_reused, r.written.classes_added);
  }
  for (const std::string& m : r.missing_images) std::printf("skipped (not in the collection): %s\n", m.c_str());
  return 0;
}

}  // namespace regionlab::cli
