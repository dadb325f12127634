#include "tests/core/regions/amg_reference.h"

#include <algorithm>

namespace regionlab::test {

std::vector<AmgMask> referenceGenerate(const cv::Mat& rgb, AmgMaskDecoder& decoder, const AmgOptions& o) {
  const auto grids = amg::layerPointGrids(o.points_per_side, o.crop_n_layers, o.crop_n_points_downscale_factor);
  const auto crops = amg::cropBoxes(rgb.size(), o.crop_n_layers, o.crop_overlap_ratio);
  std::vector<AmgMask> all;
  for (const auto& crop : crops) {
    decoder.setImage(rgb(crop.box).clone());
    std::vector<AmgMask> data;
    const auto& grid = grids[size_t(crop.layer)];
    for (size_t start = 0; start < grid.size(); start += size_t(o.points_per_batch)) {
      std::vector<cv::Point2d> points;
      for (size_t i = start; i < std::min(grid.size(), start + size_t(o.points_per_batch)); ++i) {
        points.emplace_back(grid[i].x * crop.box.width, grid[i].y * crop.box.height);
      }
      const std::vector<float> iou = decoder.decodeBatch(points);
      std::vector<int> every(iou.size());
      for (size_t i = 0; i < every.size(); ++i) every[i] = int(i);
      const std::vector<cv::Mat> masks = decoder.maskLogits(every);
      for (size_t i = 0; i < masks.size(); ++i) {
        if (o.pred_iou_thresh > 0.0 && !(iou[i] > float(o.pred_iou_thresh))) continue;
        const float stability = amg::stabilityScore(masks[i], 0.0f, float(o.stability_score_offset));
        if (o.stability_score_thresh > 0.0 && !(stability >= float(o.stability_score_thresh))) continue;
        const amg::Box box = amg::maskBox(masks[i], 0.0f);
        if (amg::nearCropEdge(box, crop.box, rgb.size())) continue;
        cv::Mat full = cv::Mat::zeros(rgb.size(), CV_8U);
        cv::Mat binary = masks[i] > 0;
        binary.copyTo(full(crop.box));
        AmgMask m;
        m.segmentation = encodeMask(full);
        m.box = box;
        m.predicted_iou = iou[i];
        m.stability_score = stability;
        m.point = points[i / 3] + cv::Point2d(crop.box.x, crop.box.y);
        m.crop_box = crop.box;
        data.push_back(std::move(m));
      }
    }
    std::vector<amg::Box> boxes;
    std::vector<float> scores;
    for (const auto& m : data) {
      boxes.push_back(m.box);
      scores.push_back(m.predicted_iou);
    }
    for (int i : amg::nms(boxes, scores, o.box_nms_thresh)) {
      AmgMask m = data[size_t(i)];
      m.box = {m.box.x0 + crop.box.x, m.box.y0 + crop.box.y, m.box.x1 + crop.box.x, m.box.y1 + crop.box.y};
      all.push_back(std::move(m));
    }
  }
  if (crops.size() > 1) {
    std::vector<amg::Box> boxes;
    std::vector<float> scores;
    for (const auto& m : all) {
      boxes.push_back(m.box);
      scores.push_back(1.0f / float(m.crop_box.area()));
    }
    std::vector<AmgMask> kept;
    for (int i : amg::nms(boxes, scores, o.crop_nms_thresh)) kept.push_back(all[size_t(i)]);
    all = std::move(kept);
  }
  for (auto& m : all) m.area = rleArea(m.segmentation);
  return all;
}

}  // namespace regionlab::test
