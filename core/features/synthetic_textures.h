#pragma once
// Procedural grey images that the build renders to train the shipped texture vocabulary
// (texture_words.h) without downloading anything: the local structures dense SIFT meets in
// photos — flat areas, smooth shading, step edges at every orientation, corners and junctions,
// bars and lines, oriented gratings at several frequencies, checkers, dots and blobs, and
// isotropic noise at several scales — mixed in random layouts. Deterministic for a seed on a
// given machine (OpenCV's RNG and drawing).
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

// `count` CV_8UC1 images of `size`.
std::vector<cv::Mat> renderSyntheticTextures(int count, cv::Size size, uint64_t seed);

}  // namespace regionlab
