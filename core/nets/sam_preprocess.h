#pragma once
// SAM's input transform (segment-anything ResizeLongestSide + Sam.preprocess, REFERENCE.md §D1.1):
// resize so the long side is 1024 (new = int(dim·scale + 0.5)) with PIL's bilinear filter — which
// is antialiased when downscaling and rounds to 8 bits after each separable pass — then normalise
// on the 0..255 scale and zero-pad bottom/right to 1024×1024 after normalisation.
//
// The resize reproduces Pillow's ImagingResample (fixed-point coefficients, 22 precision bits,
// horizontal pass then vertical pass) bit for bit, so the network sees the same bytes as the
// official predictor; OpenCV's INTER_LINEAR/INTER_AREA differ by a few grey levels.
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab::nets {

inline constexpr int kSamInputSize = 1024;

// (height, width) after resizing the long side to `target` (get_preprocess_shape).
cv::Size samResizedSize(int height, int width, int target = kSamInputSize);

// Pillow-exact bilinear resize of an 8-bit image (1 or 3 channels).
cv::Mat pillowBilinearResize(const cv::Mat& image, cv::Size size);

// rgb (CV_8UC3, RGB order) → 3×1024×1024 float, channel-major, normalised and zero-padded.
// `resized` receives the size of the image inside the padded input.
std::vector<float> samPreprocess(const cv::Mat& rgb, cv::Size* resized = nullptr);

}  // namespace regionlab::nets
