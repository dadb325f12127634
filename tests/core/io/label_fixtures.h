#pragma once
// Label sets with the shapes that break converters: holes, objects in several parts, overlaps,
// one-pixel parts, masks touching the border.
#include <opencv2/imgproc.hpp>

#include "core/io/label_set.h"

namespace regionlab::test {

inline LabelSet makeTrickyLabelSet() {
  LabelSet set;
  set.classes = {{"cat", 1, true, ""}, {"dog", 2, true, ""}, {"road", 3, false, ""}};
  auto add = [](LabeledImage& image, const std::string& cls, const cv::Mat& mask) {
    image.instances.push_back({cls, encodeMask(mask), LabelSource::User, 1.0, false});
  };
  {
    LabeledImage image{"a/one.jpg", 1, 64, 48, {}};
    cv::Mat m = cv::Mat::zeros(48, 64, CV_8U);
    cv::ellipse(m, {20, 20}, {12, 9}, 20, 0, 360, 1, cv::FILLED);
    add(image, "cat", m);
    m = cv::Mat::zeros(48, 64, CV_8U);  // a ring: one hole
    cv::circle(m, {45, 25}, 12, 1, cv::FILLED);
    cv::circle(m, {45, 25}, 5, 0, cv::FILLED);
    add(image, "dog", m);
    m = cv::Mat::zeros(48, 64, CV_8U);  // two parts and a lone pixel, touching the border
    cv::rectangle(m, cv::Rect(0, 38, 10, 10), 1, cv::FILLED);
    cv::rectangle(m, cv::Rect(50, 40, 14, 8), 1, cv::FILLED);
    m.at<uint8_t>(2, 60) = 1;
    add(image, "road", m);
    set.images.push_back(std::move(image));
  }
  {
    LabeledImage image{"b/two.png", 2, 40, 30, {}};
    cv::Mat m = cv::Mat::zeros(30, 40, CV_8U);
    cv::rectangle(m, cv::Rect(5, 5, 20, 15), 1, cv::FILLED);
    add(image, "cat", m);
    set.images.push_back(std::move(image));
  }
  return set;
}

}  // namespace regionlab::test
