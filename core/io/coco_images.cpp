#include "core/io/coco_images.h"

#include <set>
#include <string>

#include "core/io/json_file.h"

namespace regionlab::io {

std::map<int64_t, size_t> readCocoImages(const std::filesystem::path& file, const nlohmann::json& doc, LabelSet& set,
                                         bool unique_file_names) {
  const nlohmann::json& images = requireArray(file, doc, "images", "");
  std::map<int64_t, size_t> image_index;
  std::set<std::string> file_names;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string where = "images[" + std::to_string(i) + "]";
    LabeledImage image;
    image.id = requireInt(file, images[i], "id", where);
    image.file_name = requireString(file, images[i], "file_name", where);
    image.width = int(requireInt(file, images[i], "width", where));
    image.height = int(requireInt(file, images[i], "height", where));
    if (image.width <= 0 || image.height <= 0) throwFieldError(file, where, "width and height must be positive");
    if (!image_index.emplace(image.id, set.images.size()).second) throwFieldError(file, where + ".id", "image id appears twice");
    if (unique_file_names && !file_names.insert(image.file_name).second) {
      throwFieldError(file, where + ".file_name", "file name appears twice");
    }
    set.images.push_back(std::move(image));
  }
  return image_index;
}

}  // namespace regionlab::io
