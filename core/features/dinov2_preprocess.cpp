#include "core/features/dinov2_preprocess.h"

#include <algorithm>

#include "core/base/error.h"

namespace regionlab {
namespace {

constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};

int roundUp(int value, int multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

void normalisePaddedWindow(const cv::Mat& rgb, int pad_top, int pad_left, int y0, int x0, int height, int width, float* out) {
  const size_t plane = size_t(height) * size_t(width);
  // Image rows and columns that fall inside the window.
  const int first_row = std::max(y0, pad_top), end_row = std::min(y0 + height, pad_top + rgb.rows);
  const int first_col = std::max(x0, pad_left), end_col = std::min(x0 + width, pad_left + rgb.cols);
  for (int c = 0; c < 3; ++c) {
    float* channel = out + size_t(c) * plane;
    std::fill(channel, channel + plane, (0.0f - kMean[c]) / kStd[c]);
    for (int y = first_row; y < end_row; ++y) {
      const uint8_t* src = rgb.ptr<uint8_t>(y - pad_top);
      float* dst = channel + size_t(y - y0) * size_t(width);
      for (int x = first_col; x < end_col; ++x) dst[x - x0] = (float(src[3 * (x - pad_left) + c]) / 255.0f - kMean[c]) / kStd[c];
    }
  }
}

Dinov2Input centrePadAndNormalise(const cv::Mat& rgb, int patch_size) {
  if (rgb.type() != CV_8UC3 || rgb.empty()) throw Error("DINOv2 input must be a non-empty 8-bit RGB image");
  Dinov2Input in;
  in.padded_height = roundUp(rgb.rows, patch_size);
  in.padded_width = roundUp(rgb.cols, patch_size);
  in.pad_top = (in.padded_height - rgb.rows) / 2;
  in.pad_left = (in.padded_width - rgb.cols) / 2;
  in.pixels.resize(3 * size_t(in.padded_height) * size_t(in.padded_width));
  normalisePaddedWindow(rgb, in.pad_top, in.pad_left, 0, 0, in.padded_height, in.padded_width, in.pixels.data());
  return in;
}

int centreCropOffset(int padded, int size) {
  // Python's round((padded - size) / 2.0): halves go to the even neighbour.
  const int twice = padded - size;
  const int half = twice / 2;
  return (twice % 2 == 0 || half % 2 == 0) ? half : half + 1;
}

PoolingGeometry referencePoolingGeometry(int image_height, int image_width, int patch_size) {
  PoolingGeometry g;
  g.upsampled_height = roundUp(image_height, patch_size);
  g.upsampled_width = roundUp(image_width, patch_size);
  g.grid_height = g.upsampled_height / patch_size;
  g.grid_width = g.upsampled_width / patch_size;
  g.crop_top = centreCropOffset(g.upsampled_height, image_height);
  g.crop_left = centreCropOffset(g.upsampled_width, image_width);
  g.image_height = image_height;
  g.image_width = image_width;
  return g;
}

}  // namespace regionlab
