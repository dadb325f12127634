#pragma once
// Everything the viewer shows of one image, prepared off the GUI thread: its pixels as a
// level-of-detail pyramid, its regions as vector shapes, and a pick map answering "which region
// is under this pixel" in constant time while the mouse moves.
#include <cstdint>
#include <memory>
#include <vector>

#include <QImage>
#include <QPainterPath>
#include <QRect>
#include <QString>

#include <opencv2/core.hpp>

namespace regionlab {
struct CollectionPaths;
}

namespace regionlab::ui {

// Level 0 is the full image; each next level halves it, down to a long side of about 512 px.
struct ImagePyramid {
  std::vector<QImage> levels;
  QSize fullSize() const { return levels.empty() ? QSize() : levels.front().size(); }
};
std::shared_ptr<const ImagePyramid> buildImagePyramid(const cv::Mat& rgb);

struct ViewerRegion {
  int64_t id = 0;
  int64_t area = 0;
  QRect bbox;
  QPainterPath shape;  // in region (analysed image) pixel coordinates
};

struct ImageDocument {
  int64_t image_id = 0;  // 0 when the image is not in the database yet
  QString path;          // relative to the collection
  QString status;        // "done", "pending", "failed"
  QString error;
  // Size of the pixel grid the regions live on (the analysed image); scene coordinates are
  // these pixels. The pyramid may be larger (the ingest downscaled) and is drawn scaled to fit.
  QSize size;
  std::shared_ptr<const ImagePyramid> pixels;
  std::vector<ViewerRegion> regions;  // largest first, the order they are painted in
  // Index into `regions` of the smallest region covering each sampled pixel, -1 for none.
  cv::Mat pick;  // CV_32S
  int pick_step = 1;

  // The smallest region containing the point (scene coordinates), or -1.
  int regionAt(double x, double y) const;
  int indexOfRegion(int64_t region_id) const;
};

// Reads the image (by its path relative to the collection) and its stored regions. Throws Error
// when the file cannot be decoded; an image the database does not know yet has no regions.
// With the collection's active region generator known (its models row; 0: not yet), the regions
// are the ones a click can pick (core/learning/region_pick.h: that generator's and the user's),
// and a pixel picks the region the query engine's point query picks.
std::shared_ptr<const ImageDocument> loadImageDocument(const CollectionPaths& paths, const QString& relative_path,
                                                       int64_t active_generator_id = 0);

}  // namespace regionlab::ui
