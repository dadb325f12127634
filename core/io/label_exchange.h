#pragma once
// Export a collection's labels to an interchange format, and import labels from one, over the
// collection's database. The same two functions serve regionlab-cli export|import and the GUI's
// export/import dialog.
//
// Images of an imported file are matched to the collection's ingested images by relative path,
// then by path suffix ("val2017/x.jpg" matches "coco/val2017/x.jpg"), then by file stem for
// formats that do not name the image (YOLO-seg), then by unique file name. Images that match
// nothing (not in the collection, or not ingested yet, whose analysed size is unknown) make the
// import fail, listing them, unless missing_images is Skip. The file's image sizes must equal the
// collection's (original, upright) sizes. The whole import is one transaction: a file that fails
// validation anywhere adds nothing.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/io/label_set.h"
#include "core/storage/label_exchange_store.h"

namespace regionlab {

struct LabelExportOptions {
  LabelFormat format = LabelFormat::CocoInstances;
  bool polygons = false;            // COCO: polygons where exact (RLE otherwise)
  bool include_auto = false;        // also automatic labels…
  double min_auto_confidence = 0.5; // …at or above this confidence
  bool all_images = false;          // also images without any label (negatives)
  bool link_images = true;          // YOLO-seg: images/ symlinks beside labels/
};

// out_dir receives: coco → instances.json; coco-panoptic → panoptic.json + panoptic/*.png;
// voc → SegmentationClass/, ImageSets/, labelmap.txt, class_names.txt; yolo-seg → labels/,
// data.yaml (+ images/ links); labelme → one .json per image.
ExportReport exportCollectionLabels(const std::filesystem::path& collection, const std::filesystem::path& out_dir,
                                    const LabelExportOptions& options);

enum class MissingImagePolicy { Fail, Skip };

struct LabelImportOptions {
  LabelFormat format = LabelFormat::CocoInstances;
  // Source class name → collection class name; an empty target leaves that class out.
  std::map<std::string, std::string> class_map;
  // Refuse classes the collection does not have yet (after mapping) instead of creating them.
  bool only_existing_classes = false;
  MissingImagePolicy missing_images = MissingImagePolicy::Fail;
  std::optional<std::filesystem::path> yolo_names;     // YOLO-seg: class names file
  std::optional<std::filesystem::path> panoptic_pngs;  // COCO panoptic: PNG folder
  bool dry_run = false;                                // validate and count, write nothing
};

struct LabelImportReport {
  int images_in_file = 0;
  int images_matched = 0;
  std::vector<std::string> missing_images;  // skipped (with MissingImagePolicy::Skip)
  int instances_read = 0;
  int instances_left_out = 0;  // by the class map
  LabelWriteCounts written;
};

LabelImportReport importCollectionLabels(const std::filesystem::path& collection, const std::filesystem::path& source,
                                         const LabelImportOptions& options);

// Reads a class map file: a JSON object {"source name": "collection name" | null}.
std::map<std::string, std::string> readClassMapFile(const std::filesystem::path& file);

// The formats' readers and writers behind one switch (no database involved).
ExportReport writeLabelSet(const LabelSet& labels, LabelFormat format, const std::filesystem::path& out_dir,
                           const LabelExportOptions& options, const std::filesystem::path& image_root = {});

}  // namespace regionlab
