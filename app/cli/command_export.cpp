#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/io/label_exchange.h"

namespace regionlab::cli {

int runExport(const std::vector<std::string>& args) {
  ArgumentParser p("export",
                   "Writes the collection's labels in an interchange format. Every instance that a format cannot hold\n"
                   "exactly (overlaps in class maps, far-apart pieces in YOLO-seg) is listed as a warning.");
  p.positional("folder", "The collection folder.")
      .positional("output", "Folder to write into (created if needed).")
      .option("format", "NAME", "coco, coco-panoptic, voc, yolo-seg or labelme.", "coco")
      .flag("polygons", "COCO: polygons where they are exact (masks with holes stay RLE).")
      .flag("include-auto", "Also automatic labels (the classifier's), at or above --min-confidence.")
      .option("min-confidence", "P", "Lowest confidence of automatic labels to export.", "0.5")
      .flag("all-images", "Also list images without any label (negatives).")
      .flag("no-image-links", "YOLO-seg: do not create images/ symlinks beside labels/.")
      .flag("json", "Print the report as JSON.");
  if (!p.parse(args)) return 0;
  LabelExportOptions options;
  options.format = labelFormatFromName(*p.value("format"));
  options.polygons = p.has("polygons");
  options.include_auto = p.has("include-auto");
  options.min_auto_confidence = p.doubleValue("min-confidence", 0.0, 1.0);
  options.all_images = p.has("all-images");
  options.link_images = !p.has("no-image-links");
  const ExportReport report = exportCollectionLabels(p.get("folder"), p.get("output"), options);
  if (p.has("json")) {
    const nlohmann::json out = {{"format", labelFormatName(options.format)}, {"images", report.images}, {"instances", report.instances},
                                {"files", report.files.size()}, {"notes", report.notes}, {"warnings", report.warnings}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("Exported %d instance(s) of %d image(s) as %s into %s (%zu files)\n", report.instances, report.images,
              labelFormatName(options.format).c_str(), p.get("output").c_str(), report.files.size());
  for (const std::string& n : report.notes) std::printf("note: %s\n", n.c_str());
  for (const std::string& w : report.warnings) std::printf("warning: %s\n", w.c_str());
  return 0;
}

}  // namespace regionlab::cli
