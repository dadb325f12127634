#include "core/learning/pixel_labeling.h"

#include <unordered_map>

#include "core/base/error.h"

namespace regionlab {

namespace {

struct Cell {
  uint32_t parent = 0;  // the cell this one extends by one region (cell 0: no region)
  uint32_t region = 0;
};

}  // namespace

PixelLabeling labelPixels(std::span<const Rle> regions, std::span<const float> probabilities, int num_classes, int height, int width) {
  if (probabilities.size() != regions.size() * size_t(num_classes)) {
    throw Error("labelPixels: " + std::to_string(probabilities.size()) + " probabilities for " + std::to_string(regions.size()) +
                " regions × " + std::to_string(num_classes) + " classes");
  }
  const size_t pixels = size_t(height) * size_t(width);
  // cell_of[p] for p in column-major order, the RLE order (index = x·height + y).
  std::vector<uint32_t> cell_of(pixels, 0);
  std::vector<Cell> cells(1);
  std::unordered_map<uint64_t, uint32_t> next_cell;
  for (size_t r = 0; r < regions.size(); ++r) {
    const Rle& rle = regions[r];
    if (rle.height != height || rle.width != width) {
      throw Error("labelPixels: region " + std::to_string(r) + " is " + std::to_string(rle.width) + "x" + std::to_string(rle.height) +
                  ", the image " + std::to_string(width) + "x" + std::to_string(height));
    }
    size_t p = 0;
    uint32_t last_from = UINT32_MAX, last_to = 0;  // neighbouring pixels mostly share a cell
    for (size_t k = 0; k < rle.counts.size(); ++k) {
      const size_t run = rle.counts[k];
      if (k % 2 == 1) {
        for (size_t i = p; i < p + run; ++i) {
          const uint32_t from = cell_of[i];
          if (from != last_from) {
            const uint64_t key = (uint64_t(from) << 32) | uint64_t(r);
            const auto [it, inserted] = next_cell.try_emplace(key, uint32_t(cells.size()));
            if (inserted) cells.push_back({from, uint32_t(r)});
            last_from = from;
            last_to = it->second;
          }
          cell_of[i] = last_to;
        }
      }
      p += run;
    }
  }

  // Probability sums per cell, built from the parent's (parents are always created first).
  const size_t C = size_t(num_classes);
  std::vector<float> sums(cells.size() * C, 0.f);
  std::vector<uint32_t> counts(cells.size(), 0);
  std::vector<int> winner(cells.size(), -1);
  std::vector<float> winner_prob(cells.size(), 0.f);
  for (size_t c = 1; c < cells.size(); ++c) {
    const float* parent = sums.data() + cells[c].parent * C;
    const float* probs = probabilities.data() + size_t(cells[c].region) * C;
    float* mine = sums.data() + c * C;
    for (size_t k = 0; k < C; ++k) mine[k] = parent[k] + probs[k];
    counts[c] = counts[cells[c].parent] + 1;
    int best = 0;
    for (size_t k = 1; k < C; ++k) {
      if (mine[k] > mine[best]) best = int(k);
    }
    winner[c] = best;
    winner_prob[c] = mine[best] / float(counts[c]);
  }

  PixelLabeling out;
  out.num_classes = num_classes;
  out.classes.create(height, width, CV_32S);
  out.confidence.create(height, width, CV_32F);
  for (int x = 0; x < width; ++x) {
    const uint32_t* column = cell_of.data() + size_t(x) * size_t(height);
    for (int y = 0; y < height; ++y) {
      out.classes.at<int>(y, x) = winner[column[y]];
      out.confidence.at<float>(y, x) = winner_prob[column[y]];
    }
  }
  return out;
}

std::vector<cv::Mat> classMasks(const PixelLabeling& labeling) {
  std::vector<cv::Mat> masks(size_t(labeling.num_classes));
  for (int c = 0; c < labeling.num_classes; ++c) {
    cv::Mat m = labeling.classes == c;
    if (cv::countNonZero(m) > 0) masks[size_t(c)] = m;
  }
  return masks;
}

}  // namespace regionlab
