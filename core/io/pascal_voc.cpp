#include "core/io/pascal_voc.h"

#include <sstream>

#include "core/base/error.h"
#include "core/io/instance_painting.h"
#include "core/io/json_file.h"
#include "core/io/palette_png.h"

namespace regionlab {

namespace fs = std::filesystem;

ExportReport writePascalVoc(const LabelSet& labels, const fs::path& folder) {
  if (labels.classes.size() > 254) {
    throw Error(folder, "Pascal VOC class maps hold at most 254 classes; this export has " + std::to_string(labels.classes.size()));
  }
  ExportReport report;
  const std::vector<cv::Vec3b> palette = vocPalette();
  std::ostringstream names, labelmap, image_list;
  names << "background\n";
  labelmap << "# label:color_rgb:parts:actions\nbackground:0,0,0::\n";
  for (size_t i = 0; i < labels.classes.size(); ++i) {
    const cv::Vec3b c = palette[i + 1];
    names << labels.classes[i].name << "\n";
    labelmap << labels.classes[i].name << ":" << int(c[0]) << "," << int(c[1]) << "," << int(c[2]) << "::\n";
  }
  for (const LabeledImage& image : labels.images) {
    const PaintedInstances painted = paintInstances(image);
    for (std::string& w : overlapWarnings(image, painted)) report.warnings.push_back(std::move(w));
    std::vector<uint8_t> class_index(image.instances.size() + 1, 0);
    for (size_t k = 0; k < image.instances.size(); ++k) {
      const LabelClass* c = labels.findClass(image.instances[k].class_name);
      class_index[k + 1] = uint8_t((c - labels.classes.data()) + 1);
    }
    cv::Mat indices(image.height, image.width, CV_8U);
    for (int y = 0; y < image.height; ++y) {
      const int* owner = painted.owner.ptr<int>(y);
      uint8_t* out = indices.ptr<uint8_t>(y);
      for (int x = 0; x < image.width; ++x) out[x] = class_index[size_t(owner[x])];
    }
    const std::string stem = fs::path(image.file_name).replace_extension().generic_string();
    const fs::path png = folder / "SegmentationClass" / (stem + ".png");
    io::writeFileAtomically(png, encodePalettePng(indices, palette));
    report.files.push_back(png.string());
    image_list << stem << "\n";
    report.instances += int(image.instances.size());
    ++report.images;
  }
  io::writeFileAtomically(folder / "ImageSets" / "Segmentation" / "default.txt", image_list.str());
  io::writeFileAtomically(folder / "labelmap.txt", labelmap.str());
  io::writeFileAtomically(folder / "class_names.txt", names.str());
  report.files.push_back((folder / "labelmap.txt").string());
  report.files.push_back((folder / "class_names.txt").string());
  return report;
}

}  // namespace regionlab
