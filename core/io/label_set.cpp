#include "core/io/label_set.h"

#include <algorithm>

#include "core/base/error.h"

namespace regionlab {

const LabelClass* LabelSet::findClass(const std::string& name) const {
  for (const LabelClass& c : classes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

void LabelSet::completeClasses() {
  int64_t next_id = 1;
  for (const LabelClass& c : classes) next_id = std::max(next_id, c.id + 1);
  for (const LabeledImage& image : images) {
    for (const LabeledInstance& instance : image.instances) {
      if (!findClass(instance.class_name)) classes.push_back({instance.class_name, next_id++, true, ""});
    }
  }
  std::sort(classes.begin(), classes.end(), [](const LabelClass& a, const LabelClass& b) { return a.id < b.id; });
}

size_t LabelSet::instanceCount() const {
  size_t n = 0;
  for (const LabeledImage& image : images) n += image.instances.size();
  return n;
}

std::string labelFormatName(LabelFormat format) {
  switch (format) {
    case LabelFormat::CocoInstances: return "coco";
    case LabelFormat::CocoPanoptic: return "coco-panoptic";
    case LabelFormat::PascalVoc: return "voc";
    case LabelFormat::YoloSeg: return "yolo-seg";
    case LabelFormat::Labelme: return "labelme";
  }
  return "coco";
}

const std::vector<LabelFormat>& allLabelFormats() {
  static const std::vector<LabelFormat> kAll = {LabelFormat::CocoInstances, LabelFormat::CocoPanoptic, LabelFormat::PascalVoc,
                                                LabelFormat::YoloSeg, LabelFormat::Labelme};
  return kAll;
}

LabelFormat labelFormatFromName(const std::string& name) {
  for (LabelFormat f : allLabelFormats()) {
    if (labelFormatName(f) == name) return f;
  }
  throw Error("unknown label format '" + name + "' (known: coco, coco-panoptic, voc, yolo-seg, labelme)");
}

// Pascal VOC class PNGs lose instance identity (touching objects of one class merge), so they are
// an export target only.
bool formatCanImport(LabelFormat format) { return format != LabelFormat::PascalVoc; }

}  // namespace regionlab
