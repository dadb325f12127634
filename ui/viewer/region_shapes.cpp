#include "ui/viewer/region_shapes.h"

#include <vector>

#include <opencv2/imgproc.hpp>

#include "ui/viewer/mask_raster.h"

namespace regionlab::ui {

QPainterPath regionOutlinePath(const Rle& mask, const BoundingBox& bbox, int max_raster_side) {
  QPainterPath path;
  path.setFillRule(Qt::OddEvenFill);
  if (bbox.width <= 0 || bbox.height <= 0) return path;
  const int step = std::max(1, (std::max(bbox.width, bbox.height) + max_raster_side - 1) / max_raster_side);
  const SampleGrid grid{bbox.x, bbox.y, step, (bbox.width + step - 1) / step, (bbox.height + step - 1) / step};
  // One empty cell of margin on every side, so every contour is closed inside the raster.
  cv::Mat raster = cv::Mat::zeros(grid.rows + 2, grid.cols + 2, CV_8U);
  forEachMaskedCell(mask, grid, [&](int i, int j) { raster.at<uint8_t>(i + 1, j + 1) = 255; });
  std::vector<std::vector<cv::Point>> contours;
  std::vector<cv::Vec4i> hierarchy;
  cv::findContours(raster, contours, hierarchy, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
  // Contour points are boundary cells; map each to the centre of the image pixels it samples.
  const auto toImage = [&](const cv::Point& p) {
    return QPointF(bbox.x + (p.x - 1) * step + 0.5 * step, bbox.y + (p.y - 1) * step + 0.5 * step);
  };
  for (const auto& contour : contours) {
    if (contour.empty()) continue;
    if (contour.size() < 3) {
      // A one- or two-cell sliver: draw it as the cells it covers.
      for (const cv::Point& p : contour) path.addRect(QRectF(toImage(p) - QPointF(0.5 * step, 0.5 * step), QSizeF(step, step)));
      continue;
    }
    path.moveTo(toImage(contour[0]));
    for (size_t k = 1; k < contour.size(); ++k) path.lineTo(toImage(contour[k]));
    path.closeSubpath();
  }
  return path;
}

}  // namespace regionlab::ui
