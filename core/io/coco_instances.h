#pragma once
// COCO object instances JSON (cocodataset.org/#format-data): images with ids and sizes,
// categories with ids and names, one annotation per instance. Masks are written as COCO's
// compressed RLE string (rleToCocoString, byte for byte what pycocotools.mask.encode gives), so
// pycocotools, FiftyOne and Detectron2 read them; optionally as polygons.
#include <filesystem>

#include "core/io/label_set.h"

namespace regionlab {

struct CocoWriteOptions {
  // Write each instance as polygons (one per connected part) where the polygons re-rasterise to
  // exactly the mask; instances with holes, which COCO polygons cannot express, stay RLE.
  bool polygons = false;
  // Indentation of the JSON (-1: compact, as large COCO files usually are).
  int indent = -1;
};

ExportReport writeCocoInstances(const LabelSet& labels, const std::filesystem::path& json_file, const CocoWriteOptions& options = {});

// Reads polygons, uncompressed RLE (counts as a list, iscrowd files) and compressed RLE. Every
// problem is an Error(file, "<field>: <reason>"): unknown image or category ids, masks whose size
// differs from the image's, polygons outside the image, bad counts.
LabelSet readCocoInstances(const std::filesystem::path& json_file);

}  // namespace regionlab
