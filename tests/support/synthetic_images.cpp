#include "tests/support/synthetic_images.h"

#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace regionlab::test {
namespace {

cv::Vec3b randomBackgroundColour(cv::RNG& rng) {
  // Muted greens, blues, greys and browns: never the target's orange/red.
  static const cv::Vec3b palette[] = {{90, 130, 80},  {70, 110, 160}, {150, 150, 150}, {120, 100, 80},
                                      {60, 90, 60},   {180, 190, 200}, {100, 140, 150}, {200, 200, 180}};
  cv::Vec3b c = palette[rng.uniform(0, 8)];
  for (int k = 0; k < 3; ++k) c[k] = cv::saturate_cast<uint8_t>(c[k] + rng.uniform(-20, 21));
  return c;
}

cv::Mat background(cv::RNG& rng, cv::Size size) {
  const cv::Vec3b a = randomBackgroundColour(rng), b = randomBackgroundColour(rng);
  cv::Mat img(size, CV_8UC3);
  const bool vertical = rng.uniform(0, 2) == 0;
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      const float t = vertical ? float(y) / size.height : float(x) / size.width;
      cv::Vec3b& p = img.at<cv::Vec3b>(y, x);
      for (int k = 0; k < 3; ++k) p[k] = cv::saturate_cast<uint8_t>(a[k] * (1 - t) + b[k] * t);
    }
  }
  cv::Mat noise(size.height / 16 + 1, size.width / 16 + 1, CV_32FC3);
  rng.fill(noise, cv::RNG::NORMAL, 0, 12);
  cv::resize(noise, noise, size, 0, 0, cv::INTER_CUBIC);
  cv::Mat f;
  img.convertTo(f, CV_32FC3);
  f += noise;
  f.convertTo(img, CV_8UC3);
  for (int i = rng.uniform(2, 5); i > 0; --i) {  // a few soft blobs, like clutter
    cv::circle(img, {rng.uniform(0, size.width), rng.uniform(0, size.height)}, rng.uniform(10, 50), cv::Scalar(randomBackgroundColour(rng)),
               cv::FILLED, cv::LINE_AA);
  }
  return img;
}

// Fills `mask` pixels of img with a two-colour pattern: stripes (period, angle) or a checkerboard.
void paintPattern(cv::Mat& img, const cv::Mat& mask, cv::Vec3b c0, cv::Vec3b c1, int kind, int period, double angle) {
  const double ca = std::cos(angle), sa = std::sin(angle);
  for (int y = 0; y < img.rows; ++y) {
    for (int x = 0; x < img.cols; ++x) {
      if (!mask.at<uint8_t>(y, x)) continue;
      bool first;
      if (kind == 0) {
        first = int(std::floor((x * ca + y * sa) / period * 2)) % 2 == 0;
      } else if (kind == 1) {
        first = ((x / period) + (y / period)) % 2 == 0;
      } else {
        first = true;
      }
      img.at<cv::Vec3b>(y, x) = first ? c0 : c1;
    }
  }
}

cv::Mat ellipseMask(cv::Size size, cv::Point center, cv::Size axes, double angle) {
  cv::Mat m = cv::Mat::zeros(size, CV_8U);
  cv::ellipse(m, center, axes, angle, 0, 360, cv::Scalar(255), cv::FILLED, cv::LINE_8);
  return m;
}

}  // namespace

SyntheticScene makeRetrievalScene(uint32_t seed, bool with_object, cv::Size size) {
  cv::RNG rng(seed * 7919u + 17u);
  SyntheticScene scene;
  scene.rgb = background(rng, size);
  // Distractors: other colour/texture pairs.
  struct Look { cv::Vec3b c0, c1; int kind; };
  static const Look distractors[] = {{{40, 160, 60}, {230, 240, 230}, 0},  {{40, 60, 200}, {40, 60, 200}, 2},
                                     {{130, 60, 160}, {170, 170, 170}, 1}, {{120, 80, 40}, {120, 80, 40}, 2},
                                     {{20, 20, 20}, {240, 240, 240}, 1},   {{0, 150, 160}, {200, 230, 60}, 0}};
  for (int i = rng.uniform(2, 5); i > 0; --i) {
    const Look& look = distractors[rng.uniform(0, 6)];
    const int r = rng.uniform(25, 60);
    const cv::Point c(rng.uniform(r, size.width - r), rng.uniform(r, size.height - r));
    const cv::Mat m = ellipseMask(size, c, {r, int(r * rng.uniform(0.6, 1.0))}, rng.uniform(0.0, 180.0));
    paintPattern(scene.rgb, m, look.c0, look.c1, look.kind, rng.uniform(5, 9), rng.uniform(0.0, CV_PI));
  }
  if (with_object) {
    const int r = rng.uniform(30, 75);
    const cv::Point c(rng.uniform(r + 2, size.width - r - 2), rng.uniform(r * 3 / 4 + 2, size.height - r * 3 / 4 - 2));
    scene.object_mask = ellipseMask(size, c, {r, r * 3 / 4}, rng.uniform(-20.0, 20.0));
    paintPattern(scene.rgb, scene.object_mask, {250, 140, 0}, {150, 25, 20}, 0, 6, CV_PI / 4);
    scene.has_object = true;
    scene.object_center = c;
  }
  cv::GaussianBlur(scene.rgb, scene.rgb, {3, 3}, 0.6);  // camera-like softness
  return scene;
}

std::vector<SceneFile> writeRetrievalCollection(const std::filesystem::path& dir, int n_with, int n_without, uint32_t seed) {
  std::filesystem::create_directories(dir);
  std::vector<SceneFile> files;
  for (int i = 0; i < n_with + n_without; ++i) {
    const bool with_object = i < n_with;
    const SyntheticScene scene = makeRetrievalScene(seed + uint32_t(i), with_object);
    char name[64];
    std::snprintf(name, sizeof(name), "scene_%03d.jpg", i);
    writeRgbImage(dir / name, scene.rgb, {cv::IMWRITE_JPEG_QUALITY, 92});
    files.push_back({name, with_object, scene.object_center, scene.object_mask});
  }
  return files;
}

cv::Mat makeShapesImage(uint32_t seed, cv::Size size) {
  cv::RNG rng(seed * 104729u + 3u);
  cv::Mat img = background(rng, size);
  for (int i = rng.uniform(3, 7); i > 0; --i) {
    const cv::Scalar colour(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256));
    const cv::Point c(rng.uniform(0, size.width), rng.uniform(0, size.height));
    if (rng.uniform(0, 2)) {
      cv::circle(img, c, rng.uniform(10, size.height / 3), colour, cv::FILLED, cv::LINE_AA);
    } else {
      cv::rectangle(img, c, c + cv::Point(rng.uniform(10, size.width / 3), rng.uniform(10, size.height / 3)), colour, cv::FILLED);
    }
  }
  return img;
}

void writeRgbImage(const std::filesystem::path& file, const cv::Mat& rgb, const std::vector<int>& params) {
  cv::Mat bgr;
  if (rgb.channels() == 3) cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  else bgr = rgb;
  if (!cv::imwrite(file.string(), bgr, params)) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace regionlab::test
