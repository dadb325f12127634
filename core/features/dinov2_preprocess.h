#pragma once
// DINOv2 input preparation and the pooling geometry, as the regions paper's code does them
// (REFERENCE.md §A2, §A4): no resize; RGB → [0, 1]; centre zero-pad H and W up to the next
// multiple of the patch size (top/left = pad / 2, the rest bottom/right); only then the ImageNet
// normalisation, so padded pixels become −mean/std. Pooling upsamples the patch grid to the
// padded size and centre-crops it with torchvision's CenterCrop, whose offset
// round((Hp − H) / 2) rounds half to even: for pads of 3, 7 and 11 it is one pixel off pad / 2.
#include <vector>

#include <opencv2/core.hpp>

#include "core/features/mask_pooler.h"

namespace regionlab {

struct Dinov2Input {
  std::vector<float> pixels;  // 3 × padded_height × padded_width, channel-major, normalised
  int padded_height = 0;
  int padded_width = 0;
  int pad_top = 0;
  int pad_left = 0;
};

// rgb: CV_8UC3 in RGB order. Float arithmetic as torchvision's ToTensor (x / 255) and Normalize
// ((x − mean) / std), so the values are bit-identical to the reference's.
Dinov2Input centrePadAndNormalise(const cv::Mat& rgb, int patch_size);

// One window of that padded, normalised image without building the rest of it (tiles of a
// large image): rows [y0, y0 + height) and columns [x0, x0 + width) of the padded frame, written
// channel-major to out (3 · height · width floats).
void normalisePaddedWindow(const cv::Mat& rgb, int pad_top, int pad_left, int y0, int x0, int height, int width, float* out);

// torchvision CenterCrop's offset for cropping `size` out of `padded`: round half to even.
int centreCropOffset(int padded, int size);

// How the patch grid of a centre-padded image maps back onto its H × W pixels.
PoolingGeometry referencePoolingGeometry(int image_height, int image_width, int patch_size);

}  // namespace regionlab
