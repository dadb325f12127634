#include "core/features/synthetic_textures.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace regionlab {
namespace {

// A full-size CV_32F texture in [0, 1].
cv::Mat texture(cv::RNG& rng, cv::Size size) {
  cv::Mat t(size, CV_32F);
  const int kind = rng.uniform(0, 8);
  const double angle = rng.uniform(0.0, CV_PI);
  const double c = std::cos(angle), s = std::sin(angle);
  if (kind == 0 || kind == 1) {  // sine grating / square-wave stripes
    const double period = rng.uniform(3.0, 24.0), phase = rng.uniform(0.0, 2 * CV_PI);
    for (int y = 0; y < size.height; ++y) {
      float* row = t.ptr<float>(y);
      for (int x = 0; x < size.width; ++x) {
        const double v = std::sin(2 * CV_PI * (c * x + s * y) / period + phase);
        row[x] = float(kind == 0 ? 0.5 + 0.5 * v : (v > 0 ? 1.0 : 0.0));
      }
    }
  } else if (kind == 2) {  // checkerboard, rotated
    const double cell = rng.uniform(3.0, 20.0);
    for (int y = 0; y < size.height; ++y) {
      float* row = t.ptr<float>(y);
      for (int x = 0; x < size.width; ++x) {
        const auto u = int64_t(std::floor((c * x + s * y) / cell)), v = int64_t(std::floor((-s * x + c * y) / cell));
        row[x] = float((u + v) & 1);
      }
    }
  } else if (kind == 3) {  // dots on a jittered grid
    t.setTo(rng.uniform(0.0, 0.4));
    const int step = rng.uniform(6, 24), radius = std::max(1, int(step * rng.uniform(0.15, 0.4)));
    const double level = rng.uniform(0.6, 1.0);
    for (int y = step / 2; y < size.height; y += step)
      for (int x = step / 2; x < size.width; x += step)
        cv::circle(t, {x + rng.uniform(-step / 4, step / 4 + 1), y + rng.uniform(-step / 4, step / 4 + 1)}, radius, level, cv::FILLED,
                   cv::LINE_AA);
  } else if (kind == 4 || kind == 5) {  // isotropic noise at a scale (fine grain to blobs)
    const int cells = kind == 4 ? rng.uniform(size.width / 3, size.width) : rng.uniform(3, 24);
    cv::Mat small(std::max(2, cells * size.height / size.width), std::max(2, cells), CV_32F);
    rng.fill(small, cv::RNG::UNIFORM, 0.0, 1.0);
    cv::resize(small, t, size, 0, 0, cv::INTER_CUBIC);
  } else if (kind == 6) {  // smooth shading
    const double a = rng.uniform(0.0, 1.0), b = rng.uniform(0.0, 1.0);
    for (int y = 0; y < size.height; ++y) {
      float* row = t.ptr<float>(y);
      for (int x = 0; x < size.width; ++x) row[x] = float(a + (b - a) * (c * x + s * y) / (size.width + size.height));
    }
  } else {  // flat
    t.setTo(rng.uniform(0.0, 1.0));
  }
  return t;
}

// A random shape mask: ellipse, rotated rectangle or polygon.
cv::Mat shapeMask(cv::RNG& rng, cv::Size size) {
  cv::Mat m = cv::Mat::zeros(size, CV_8U);
  const cv::Point centre(rng.uniform(0, size.width), rng.uniform(0, size.height));
  const int r = rng.uniform(size.height / 10, size.height / 2);
  switch (rng.uniform(0, 3)) {
    case 0: cv::ellipse(m, centre, {r, rng.uniform(r / 4 + 1, r + 1)}, rng.uniform(0.0, 180.0), 0, 360, 255, cv::FILLED, cv::LINE_AA); break;
    case 1: {
      const cv::RotatedRect box(centre, cv::Size2f(float(r), float(rng.uniform(r / 4 + 1, 2 * r))), float(rng.uniform(0.0, 180.0)));
      cv::Point2f corners[4];
      box.points(corners);
      std::vector<cv::Point> poly(corners, corners + 4);
      cv::fillConvexPoly(m, poly, 255, cv::LINE_AA);
      break;
    }
    default: {
      std::vector<cv::Point> poly;
      const int n = rng.uniform(3, 8);
      for (int i = 0; i < n; ++i) {
        const double a = 2 * CV_PI * i / n + rng.uniform(-0.3, 0.3);
        const double rr = r * rng.uniform(0.4, 1.0);
        poly.emplace_back(centre.x + int(rr * std::cos(a)), centre.y + int(rr * std::sin(a)));
      }
      cv::fillPoly(m, std::vector<std::vector<cv::Point>>{poly}, 255, cv::LINE_AA);
    }
  }
  return m;
}

}  // namespace

std::vector<cv::Mat> renderSyntheticTextures(int count, cv::Size size, uint64_t seed) {
  cv::RNG rng(seed);
  std::vector<cv::Mat> images;
  for (int i = 0; i < count; ++i) {
    cv::Mat canvas = texture(rng, size);
    for (int layers = rng.uniform(3, 9); layers > 0; --layers) {
      cv::Mat layer = texture(rng, size);
      const double contrast = rng.uniform(0.2, 1.0), offset = rng.uniform(0.0, 1.0 - contrast);
      layer = layer * contrast + offset;
      layer.copyTo(canvas, shapeMask(rng, size));
    }
    for (int lines = rng.uniform(0, 6); lines > 0; --lines) {
      cv::line(canvas, {rng.uniform(0, size.width), rng.uniform(0, size.height)}, {rng.uniform(0, size.width), rng.uniform(0, size.height)},
               rng.uniform(0.0, 1.0), rng.uniform(1, 4), cv::LINE_AA);
    }
    // Optics and sensor: a little blur, a little noise.
    const double sigma = rng.uniform(0.0, 1.5);
    if (sigma > 0.3) cv::GaussianBlur(canvas, canvas, cv::Size(), sigma);
    cv::Mat noise(size, CV_32F);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, rng.uniform(0.0, 0.03));
    canvas += noise;
    cv::Mat grey;
    canvas.convertTo(grey, CV_8U, 255.0);
    images.push_back(grey);
  }
  return images;
}

}  // namespace regionlab
