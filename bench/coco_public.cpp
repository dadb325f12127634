#include "bench/coco_public.h"

#include <atomic>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "core/image/image_decoder.h"
#include "core/regions/region_generator.h"

namespace regionlab::bench {
namespace {

namespace fs = std::filesystem;

// YOLO-seg polygons ("<class> x1 y1 x2 y2 …", normalised) rasterised at the image's size.
std::vector<CocoInstance> readInstances(const fs::path& file, cv::Size size) {
  std::vector<CocoInstance> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    CocoInstance inst;
    if (!(s >> inst.class_id)) continue;
    std::vector<cv::Point> polygon;
    double x, y;
    while (s >> x >> y) polygon.emplace_back(int(std::lround(x * size.width)), int(std::lround(y * size.height)));
    if (polygon.size() < 3) continue;
    cv::Mat mask = cv::Mat::zeros(size, CV_8U);
    cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{polygon}, 255);
    inst.mask = encodeMask(mask);
    out.push_back(std::move(inst));
  }
  return out;
}

}  // namespace

fs::path defaultCocoRoot() { return "../shared/data/coco128_lightly"; }

void parallelOver(size_t n, int threads, const std::function<void(size_t)>& body) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t) {
    pool.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < n;) body(i);
    });
  }
  for (std::thread& t : pool) t.join();
}

std::vector<CocoImage> loadCocoPublic(const fs::path& root, int threads, int min_instance_area) {
  std::ifstream list(root / "split_public.txt");
  if (!list) throw std::runtime_error("no split_public.txt in " + root.string() + " (pass the coco128_lightly folder)");
  std::vector<CocoImage> images;
  for (std::string key; std::getline(list, key);) {
    if (!key.empty()) images.push_back({key, {}, {}, {}, {}});
  }
  const auto generator = createRegionGenerator("default");
  parallelOver(images.size(), threads, [&](size_t i) {
    CocoImage& im = images[i];
    im.rgb = decodeImageFile(root / "images" / (im.key + ".jpg")).rgb;
    for (Region& r : generator->generate(im.rgb)) im.regions.push_back(std::move(r.mask));
    for (CocoInstance& inst : readInstances(root / "instance_segmentation" / "labels" / (im.key + ".txt"), im.rgb.size())) {
      im.classes.insert(inst.class_id);
      if (rleArea(inst.mask) >= min_instance_area) im.instances.push_back(std::move(inst));
    }
  });
  return images;
}

}  // namespace regionlab::bench
