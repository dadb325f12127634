#pragma once
// Labels as the interchange formats see them: images (by file name and size) holding labeled
// instance masks. Every reader in core/io produces a LabelSet and every writer consumes one, so a
// format only converts between its files and this shape; the database side lives in
// core/storage/label_exchange_store.h.
//
// Masks are kept at the image's original (upright) resolution, the one label files refer to;
// the store scales them to and from the analysed resolution of a downscaled image.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/regions/rle.h"

namespace regionlab {

enum class LabelSource { User, Auto };

struct LabeledInstance {
  std::string class_name;
  Rle mask;                  // image-sized; never empty in a valid set
  LabelSource source = LabelSource::User;
  double confidence = 1.0;   // 1 for user labels
  bool is_crowd = false;     // COCO iscrowd: one mask covering several objects
};

struct LabeledImage {
  std::string file_name;     // relative path as the collection stores it, '/'-separated
  int64_t id = 0;            // image id written to the files (COCO image_id); 0 = assign
  int width = 0;             // original upright size the masks refer to
  int height = 0;
  std::vector<LabeledInstance> instances;
};

struct LabelClass {
  std::string name;
  int64_t id = 0;            // category id written to / read from the files
  bool is_thing = true;      // COCO panoptic: thing (countable) or stuff
  std::string color;         // "#rrggbb" when known
};

struct LabelSet {
  std::vector<LabelClass> classes;   // every class any instance names, in id order
  std::vector<LabeledImage> images;

  const LabelClass* findClass(const std::string& name) const;
  // Adds missing classes (ids after the largest present) for every instance's class name.
  void completeClasses();
  size_t instanceCount() const;
};

enum class LabelFormat { CocoInstances, CocoPanoptic, PascalVoc, YoloSeg, Labelme };

// "coco", "coco-panoptic", "voc", "yolo-seg", "labelme".
std::string labelFormatName(LabelFormat format);
// Throws Error naming the accepted names for anything else.
LabelFormat labelFormatFromName(const std::string& name);
const std::vector<LabelFormat>& allLabelFormats();
bool formatCanImport(LabelFormat format);

// What a writer could not express exactly, one line per affected instance (never silent: the CLI
// prints these and the GUI lists them).
struct ExportReport {
  int images = 0;
  int instances = 0;
  std::vector<std::string> files;     // files written
  std::vector<std::string> notes;     // lossless changes of form (e.g. RLE instead of polygons)
  std::vector<std::string> warnings;  // anything the format could not hold exactly
};

}  // namespace regionlab
