#include "core/regions/amg_steps.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <opencv2/imgproc.hpp>

namespace regionlab::amg {

std::vector<cv::Point2d> pointGrid(int n) {
  // numpy.linspace(start, stop, n): start + i·step with step = (stop − start)/(n − 1), the last
  // value set to stop exactly.
  const double offset = 1.0 / (2.0 * n);
  const double start = offset, stop = 1.0 - offset;
  std::vector<double> one(static_cast<size_t>(n));
  if (n == 1) {
    one[0] = start;
  } else {
    const double step = (stop - start) / double(n - 1);
    for (int i = 0; i < n; ++i) one[size_t(i)] = double(i) * step + start;
    one[size_t(n - 1)] = stop;
  }
  std::vector<cv::Point2d> points;
  points.reserve(size_t(n) * size_t(n));
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) points.emplace_back(one[size_t(x)], one[size_t(y)]);
  }
  return points;
}

std::vector<std::vector<cv::Point2d>> layerPointGrids(int points_per_side, int layers, int scale_per_layer) {
  std::vector<std::vector<cv::Point2d>> grids;
  for (int i = 0; i <= layers; ++i) grids.push_back(pointGrid(int(points_per_side / std::pow(double(scale_per_layer), i))));
  return grids;
}

std::vector<CropBox> cropBoxes(cv::Size image, int layers, double overlap_ratio) {
  std::vector<CropBox> crops = {{cv::Rect(0, 0, image.width, image.height), 0}};
  const int short_side = std::min(image.width, image.height);
  auto crop_len = [](int orig_len, int n_crops, int overlap) {
    return int(std::ceil(double(overlap * (n_crops - 1) + orig_len) / n_crops));
  };
  for (int layer = 0; layer < layers; ++layer) {
    const int per_side = 1 << (layer + 1);
    const int overlap = int(overlap_ratio * short_side * (2.0 / per_side));
    const int crop_w = crop_len(image.width, per_side, overlap);
    const int crop_h = crop_len(image.height, per_side, overlap);
    for (int i = 0; i < per_side; ++i) {      // itertools.product(x0s, y0s): x outer
      for (int j = 0; j < per_side; ++j) {
        const int x0 = (crop_w - overlap) * i, y0 = (crop_h - overlap) * j;
        const int x1 = std::min(x0 + crop_w, image.width), y1 = std::min(y0 + crop_h, image.height);
        crops.push_back({cv::Rect(x0, y0, x1 - x0, y1 - y0), layer + 1});
      }
    }
  }
  return crops;
}

float stabilityScore(const cv::Mat& logits, float threshold, float offset) {
  const float high = threshold + offset, low = threshold - offset;
  int64_t intersection = 0, unions = 0;
  for (int y = 0; y < logits.rows; ++y) {
    const float* row = logits.ptr<float>(y);
    int64_t i = 0, u = 0;
    for (int x = 0; x < logits.cols; ++x) {
      i += row[x] > high;
      u += row[x] > low;
    }
    intersection += i;
    unions += u;
  }
  return float(intersection) / float(unions);
}

Box maskBox(const cv::Mat& logits, float threshold) {
  int x0 = logits.cols, y0 = logits.rows, x1 = -1, y1 = -1;
  for (int y = 0; y < logits.rows; ++y) {
    const float* row = logits.ptr<float>(y);
    int first = -1, last = -1;
    for (int x = 0; x < logits.cols; ++x) {
      if (row[x] > threshold) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    x0 = std::min(x0, first);
    x1 = std::max(x1, last);
    y0 = std::min(y0, y);
    y1 = y;
  }
  if (x1 < 0) return {};
  return {x0, y0, x1, y1};
}

bool nearCropEdge(const Box& b, const cv::Rect& crop, cv::Size image, float tolerance) {
  const float box[4] = {float(b.x0 + crop.x), float(b.y0 + crop.y), float(b.x1 + crop.x), float(b.y1 + crop.y)};
  const float crop_edges[4] = {float(crop.x), float(crop.y), float(crop.x + crop.width), float(crop.y + crop.height)};
  const float image_edges[4] = {0.0f, 0.0f, float(image.width), float(image.height)};
  for (int i = 0; i < 4; ++i) {
    const bool near_crop = std::abs(box[i] - crop_edges[i]) <= tolerance;
    const bool near_image = std::abs(box[i] - image_edges[i]) <= tolerance;
    if (near_crop && !near_image) return true;
  }
  return false;
}

std::vector<int> nms(const std::vector<Box>& boxes, const std::vector<float>& scores, double threshold) {
  const size_t n = boxes.size();
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[size_t(a)] > scores[size_t(b)]; });
  std::vector<float> area(n);
  for (size_t i = 0; i < n; ++i) {
    area[i] = (float(boxes[i].x1) - float(boxes[i].x0)) * (float(boxes[i].y1) - float(boxes[i].y0));
  }
  std::vector<char> suppressed(n, 0);
  std::vector<int> keep;
  for (size_t oi = 0; oi < n; ++oi) {
    const int i = order[oi];
    if (suppressed[size_t(i)]) continue;
    keep.push_back(i);
    const Box& a = boxes[size_t(i)];
    for (size_t oj = oi + 1; oj < n; ++oj) {
      const int j = order[oj];
      if (suppressed[size_t(j)]) continue;
      const Box& b = boxes[size_t(j)];
      const float xx1 = std::max(float(a.x0), float(b.x0)), yy1 = std::max(float(a.y0), float(b.y0));
      const float xx2 = std::min(float(a.x1), float(b.x1)), yy2 = std::min(float(a.y1), float(b.y1));
      const float w = std::max(0.0f, xx2 - xx1), h = std::max(0.0f, yy2 - yy1);
      const float inter = w * h;
      const float overlap = inter / (area[size_t(i)] + area[size_t(j)] - inter);
      if (double(overlap) > threshold) suppressed[size_t(j)] = 1;
    }
  }
  return keep;
}

bool removeSmallRegions(cv::Mat& mask, int min_area, bool holes) {
  cv::Mat working;
  cv::compare(mask, 0, working, holes ? cv::CMP_EQ : cv::CMP_NE);
  working /= 255;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(working, labels, stats, centroids, 8);
  std::vector<char> small(size_t(n), 0);
  bool any_small = false;
  for (int i = 1; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) < min_area) small[size_t(i)] = any_small = true;
  }
  if (!any_small) return false;
  std::vector<char> fill(size_t(n), 0);
  if (holes) {
    fill[0] = 1;
    for (int i = 1; i < n; ++i) fill[size_t(i)] = small[size_t(i)];
  } else {
    bool any = false;
    for (int i = 1; i < n; ++i) any |= (fill[size_t(i)] = !small[size_t(i)]);
    if (!any) {  // every island is small: keep the largest
      int best = 1;
      for (int i = 2; i < n; ++i) {
        if (stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(best, cv::CC_STAT_AREA)) best = i;
      }
      fill[size_t(best)] = 1;
    }
  }
  for (int y = 0; y < mask.rows; ++y) {
    const int* l = labels.ptr<int>(y);
    uint8_t* m = mask.ptr<uint8_t>(y);
    for (int x = 0; x < mask.cols; ++x) m[x] = fill[size_t(l[x])] ? 1 : 0;
  }
  return true;
}

}  // namespace regionlab::amg
