#pragma once
// COCO panoptic ground truth (cocodataset.org/#format-data, "Panoptic Segmentation"): a JSON with
// images, categories (with isthing) and per-image segments_info, plus one RGB PNG per image
// whose pixel value R + 256·G + 256²·B is the segment id (0 = unlabeled).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

struct PanopticCategory {
  int id = 0;
  std::string name;
  bool isthing = false;
};

struct PanopticSegment {
  int64_t id = 0;  // the PNG value
  int category_id = 0;
  bool iscrowd = false;
  int64_t area = 0;
};

struct PanopticImage {
  int64_t image_id = 0;
  std::string file_name;  // of the image (e.g. 000000000009.jpg)
  int width = 0, height = 0;
  std::filesystem::path png;  // the segment-id PNG
  std::vector<PanopticSegment> segments;
};

struct PanopticDataset {
  std::map<int, PanopticCategory> categories;
  std::vector<PanopticImage> images;

  // The image whose file name has this stem ("000000000009"), if any.
  const PanopticImage* findByStem(const std::string& stem) const;
  // Appends another part (e.g. val after train); categories must agree. Throws Error on an
  // image stem present in both.
  void merge(PanopticDataset other);
};

// Reads the JSON; png_dir holds the PNGs (COCO's layout: annotations/panoptic_<split>/ beside
// annotations/panoptic_<split>.json, the default when png_dir is empty). Throws Error with the
// file and the reason on anything malformed or missing.
PanopticDataset readCocoPanoptic(const std::filesystem::path& json, const std::filesystem::path& png_dir = {});

// The segment-id map of an image (CV_32S). Throws Error when the PNG is missing or not the
// image's size.
cv::Mat readPanopticSegmentIds(const PanopticImage& image);

}  // namespace regionlab
