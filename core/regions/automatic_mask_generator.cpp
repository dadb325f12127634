#include "core/regions/automatic_mask_generator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "core/base/error.h"

namespace regionlab {
namespace {

using amg::Box;

struct Candidate {
  Rle rle;
  Box box;  // crop coordinates while a crop is processed, image coordinates after
  float iou = 0, stability = 0;
  cv::Point2d point;  // crop coordinates, then image coordinates
  cv::Mat low_res;    // fast mode: low-resolution logits until the mask is upscaled
};

// Column-major RLE of (logits > 0) placed at `crop` inside an image of `size` (uncrop_masks +
// mask_to_rle_pytorch without materialising the padded mask).
Rle rleOfCropMask(const cv::Mat& logits, const cv::Rect& crop, cv::Size size) {
  cv::Mat binary;
  cv::compare(logits, 0.0, binary, cv::CMP_GT);
  cv::Mat columns;
  cv::transpose(binary, columns);  // row c = column c of the crop
  Rle rle;
  rle.height = size.height;
  rle.width = size.width;
  uint32_t run = 0;
  bool value = false;
  auto push = [&](bool v, uint32_t count) {
    if (v == value) {
      run += count;
    } else {
      rle.counts.push_back(run);
      value = v;
      run = count;
    }
  };
  for (int x = 0; x < size.width; ++x) {
    if (x < crop.x || x >= crop.x + crop.width) {
      push(false, uint32_t(size.height));
      continue;
    }
    const uint8_t* col = columns.ptr<uint8_t>(x - crop.x);
    if (crop.y > 0) push(false, uint32_t(crop.y));
    for (int y = 0; y < crop.height; ++y) push(col[y] != 0, 1);
    const int below = size.height - crop.y - crop.height;
    if (below > 0) push(false, uint32_t(below));
  }
  rle.counts.push_back(run);
  return rle;
}

std::vector<Candidate> keepIndices(std::vector<Candidate>& all, const std::vector<int>& keep) {
  std::vector<Candidate> out;
  out.reserve(keep.size());
  for (int i : keep) out.push_back(std::move(all[size_t(i)]));
  return out;
}

std::vector<Candidate> nmsCandidates(std::vector<Candidate> all, double threshold) {
  std::vector<Box> boxes;
  std::vector<float> scores;
  for (const Candidate& c : all) {
    boxes.push_back(c.box);
    scores.push_back(c.iou);
  }
  return keepIndices(all, amg::nms(boxes, scores, threshold));
}

std::vector<cv::Point2d> scaledGrid(const std::vector<cv::Point2d>& grid, const cv::Rect& crop) {
  std::vector<cv::Point2d> points;  // points_for_image = grid · [w, h] in float64
  points.reserve(grid.size());
  for (const cv::Point2d& p : grid) points.emplace_back(p.x * double(crop.width), p.y * double(crop.height));
  return points;
}

// The official _process_batch, reordered: IoU filter before any upscaling.
void processBatchExact(const std::vector<cv::Point2d>& points, AmgMaskDecoder& decoder, const amg::CropBox& crop, cv::Size image,
                       const AmgOptions& o, std::vector<Candidate>& out, AmgStatistics& stats) {
  const int k = decoder.masksPerPoint();
  const std::vector<float> iou = decoder.decodeBatch(points);
  stats.prompts_decoded += int64_t(points.size());
  std::vector<int> keep;
  for (int i = 0; i < int(iou.size()); ++i) {
    if (o.pred_iou_thresh <= 0.0 || iou[size_t(i)] > float(o.pred_iou_thresh)) keep.push_back(i);
  }
  if (keep.empty()) return;
  const std::vector<cv::Mat> logits = decoder.maskLogits(keep);
  stats.masks_upscaled += int64_t(keep.size());
  for (size_t j = 0; j < keep.size(); ++j) {
    const cv::Mat& l = logits[j];
    const float stability = amg::stabilityScore(l, 0.0f, float(o.stability_score_offset));
    if (o.stability_score_thresh > 0.0 && !(stability >= float(o.stability_score_thresh))) continue;
    const Box box = amg::maskBox(l, 0.0f);
    if (amg::nearCropEdge(box, crop.box, image)) continue;
    Candidate c;
    c.rle = rleOfCropMask(l, crop.box, image);
    c.box = box;
    c.iou = iou[size_t(keep[j])];
    c.stability = stability;
    c.point = points[size_t(keep[j] / k)];
    out.push_back(std::move(c));
  }
}

// Fast mode: the same filters on the low-resolution logits; masks are upscaled after NMS.
struct FastCrop {
  cv::Mat coverage;  // CV_8U over the low-res valid area: 1 where an accepted mask lies
};

// Returns, per point, whether it gave at least one accepted candidate.
std::vector<char> processBatchFast(const std::vector<cv::Point2d>& points, AmgMaskDecoder& decoder, const amg::CropBox& crop, cv::Size image,
                                   const AmgOptions& o, std::vector<Candidate>& out, FastCrop& state, AmgStatistics& stats) {
  const int k = decoder.masksPerPoint();
  std::vector<char> accepted(points.size(), 0);
  const std::vector<float> iou = decoder.decodeBatch(points);
  stats.prompts_decoded += int64_t(points.size());
  std::vector<int> keep;
  for (int i = 0; i < int(iou.size()); ++i) {
    if (o.pred_iou_thresh <= 0.0 || iou[size_t(i)] > float(o.pred_iou_thresh)) keep.push_back(i);
  }
  if (keep.empty()) return accepted;
  cv::Size valid;
  const std::vector<cv::Mat> low = decoder.lowResLogits(keep, &valid);
  if (state.coverage.empty()) state.coverage = cv::Mat::zeros(valid, CV_8U);
  const double sx = double(crop.box.width) / valid.width, sy = double(crop.box.height) / valid.height;
  std::vector<std::pair<int, cv::Mat>> smallest_of_prompt;
  for (size_t j = 0; j < keep.size(); ++j) {
    const cv::Mat l = low[j](cv::Rect(0, 0, valid.width, valid.height));
    const float stability = amg::stabilityScore(l, 0.0f, float(o.stability_score_offset));
    if (o.stability_score_thresh > 0.0 && !(stability >= float(o.stability_score_thresh))) continue;
    const Box lb = amg::maskBox(l, 0.0f);
    // Low-res cell edges → crop pixels (inclusive box).
    const Box box = {int(std::floor(lb.x0 * sx)), int(std::floor(lb.y0 * sy)),
                     std::min(crop.box.width - 1, int(std::ceil((lb.x1 + 1) * sx)) - 1),
                     std::min(crop.box.height - 1, int(std::ceil((lb.y1 + 1) * sy)) - 1)};
    if (amg::nearCropEdge(box, crop.box, image)) continue;
    Candidate c;
    c.box = box;
    c.iou = iou[size_t(keep[j])];
    c.stability = stability;
    const int prompt = keep[j] / k;
    c.point = points[size_t(prompt)];
    c.low_res = low[j];
    accepted[size_t(prompt)] = 1;
    // Coverage from the smallest accepted mask of each prompt only: a later point inside it
    // would most likely return the same part/whole hierarchy; larger masks (whole objects,
    // background) would hide the parts other points find.
    const int area = cv::countNonZero(l > 0);
    if (smallest_of_prompt.empty() || smallest_of_prompt.back().first != prompt) {
      smallest_of_prompt.push_back({prompt, l});
    } else if (area < cv::countNonZero(smallest_of_prompt.back().second > 0)) {
      smallest_of_prompt.back().second = l;
    }
    out.push_back(std::move(c));
  }
  if (o.fast_skip_covered_points) {
    for (const auto& [prompt, l] : smallest_of_prompt) state.coverage.setTo(1, l > 0);
  }
  return accepted;
}

bool covered(const FastCrop& state, const cv::Point2d& p, const cv::Rect& crop) {
  if (state.coverage.empty()) return false;
  const int x = std::clamp(int(p.x / crop.width * state.coverage.cols), 0, state.coverage.cols - 1);
  const int y = std::clamp(int(p.y / crop.height * state.coverage.rows), 0, state.coverage.rows - 1);
  return state.coverage.at<uint8_t>(y, x) != 0;
}

// Nested coarse-to-fine levels of one axis of a grid of `side` points: level 0 is every
// 2^L-th point, level ℓ adds the points of stride 2^(L−ℓ), L the fewest doublings that bring the
// coarsest level to ≤ coarse_side points. Each level's offset keeps its points centred.
std::vector<int> axisLevels(int side, int coarse_side, int& levels) {
  levels = 0;
  while (coarse_side > 0 && ((side + (1 << levels) - 1) >> levels) > coarse_side) ++levels;
  std::vector<int> level(size_t(side), levels);
  auto off_centre = [side](int offset, int stride) {
    double sum = 0;
    int n = 0;
    for (int i = offset; i < side; i += stride) sum += i, ++n;
    return n ? std::abs(sum / n - (side - 1) / 2.0) : 1e9;
  };
  int offset = 0;
  for (int k = 1; k <= levels; ++k) {
    const int stride = 1 << k, half = stride / 2;
    if (off_centre(offset + half, stride) < off_centre(offset, stride)) offset += half;
    for (int i = offset; i < side; i += stride) level[size_t(i)] = levels - k;
  }
  return level;
}

// Bit-reversed Morton index of grid point i (side × side, `bits` bits per axis): sorting a
// level by it visits the points like a 2-D van der Corput sequence, so any prefix is spread over
// the whole crop.
uint64_t spreadKey(int i, int side, int bits) {
  uint64_t morton = 0;
  for (int b = 0; b < bits; ++b) {
    morton |= uint64_t((i % side >> b) & 1) << (2 * b);
    morton |= uint64_t((i / side >> b) & 1) << (2 * b + 1);
  }
  uint64_t reversed = 0;
  for (int b = 0; b < 2 * bits; ++b) reversed |= ((morton >> b) & 1) << (2 * bits - 1 - b);
  return reversed;
}

// The fast mode's visiting order of a grid of n points and each point's level (0 = coarsest).
struct CoarseToFine {
  std::vector<int> order, level;
  int levels = 0;  // the finest level
  int side = 0;
};

CoarseToFine coarseToFineOrder(int n, const AmgOptions& o) {
  CoarseToFine c;
  c.side = int(std::lround(std::sqrt(double(n))));
  c.level.assign(size_t(n), 0);
  // Without skipping (or for a grid that is not square): the grid's order at one level, the exact
  // mode's candidates in its order, so NMS breaks score ties the same way. With skipping: the
  // levels coarse to fine; within a level the spread-out order, so a prompt budget that ends
  // inside a level leaves no region unvisited while another is done densely.
  const bool nested = (o.fast_skip_covered_points || o.fast_refine_near_found) && c.side * c.side == n;
  std::vector<uint64_t> key(static_cast<size_t>(n));
  if (nested) {
    const std::vector<int> axis = axisLevels(c.side, o.fast_coarse_points_per_side, c.levels);
    int bits = 0;
    while ((1 << bits) < c.side) ++bits;
    for (int i = 0; i < n; ++i) {
      c.level[size_t(i)] = std::max(axis[size_t(i % c.side)], axis[size_t(i / c.side)]);
      key[size_t(i)] = spreadKey(i, c.side, bits);
    }
  } else {
    for (int i = 0; i < n; ++i) key[size_t(i)] = uint64_t(i);
  }
  c.order.resize(size_t(n));
  for (int i = 0; i < n; ++i) c.order[size_t(i)] = i;
  std::stable_sort(c.order.begin(), c.order.end(), [&](int a, int b) {
    return c.level[size_t(a)] != c.level[size_t(b)] ? c.level[size_t(a)] < c.level[size_t(b)] : key[size_t(a)] < key[size_t(b)];
  });
  return c;
}

// The fast branch of processCrop: the grid's points coarse to fine (AmgOptions fast_*).
void decodeCoarseToFine(const std::vector<cv::Point2d>& points, AmgMaskDecoder& decoder, const amg::CropBox& crop, cv::Size image,
                        const AmgOptions& o, std::vector<Candidate>& data, AmgStatistics& stats) {
  enum Status : char { Pending, Found, Empty, Covered, NotNear };
  const int n = int(points.size());
  const CoarseToFine grid = coarseToFineOrder(n, o);
  const std::vector<int>& order = grid.order;
  const std::vector<int>& level = grid.level;
  const int side = grid.side, levels = grid.levels;
  std::vector<char> status(size_t(n), Pending);
  // A coarser point within one step of the next-coarser level's grid was covered or found masks.
  auto near_found = [&](int i) {
    const int l = level[size_t(i)], step = 1 << (levels - l + 1), x = i % side, y = i / side;
    for (int yy = std::max(0, y - step); yy <= std::min(side - 1, y + step); ++yy) {
      for (int xx = std::max(0, x - step); xx <= std::min(side - 1, x + step); ++xx) {
        const int j = yy * side + xx;
        if (level[size_t(j)] < l && (status[size_t(j)] == Found || status[size_t(j)] == Covered)) return true;
      }
    }
    return false;
  };
  const size_t batch = size_t(std::max(1, o.fast_points_per_batch));
  FastCrop state;
  size_t next = 0;
  const int64_t budget = o.fast_max_prompts > 0 ? o.fast_max_prompts : std::numeric_limits<int64_t>::max();
  int64_t decoded = 0;
  while (next < order.size()) {
    if (decoded >= budget) {  // the rest of the grid is left undecoded
      stats.prompts_over_budget += int64_t(order.size() - next);
      break;
    }
    const int l = level[size_t(order[next])];
    std::vector<int> chosen;
    std::vector<cv::Point2d> slice;
    while (next < order.size() && level[size_t(order[next])] == l && slice.size() < batch && decoded + int64_t(slice.size()) < budget) {
      const int i = order[next++];
      if (o.fast_skip_covered_points && covered(state, points[size_t(i)], crop.box)) {
        status[size_t(i)] = Covered;
        ++stats.prompts_skipped;
      } else if (o.fast_refine_near_found && l > 0 && !near_found(i)) {
        status[size_t(i)] = NotNear;
        ++stats.prompts_skipped;
        ++stats.prompts_skipped_not_near;
      } else {
        chosen.push_back(i);
        slice.push_back(points[size_t(i)]);
      }
    }
    if (slice.empty()) continue;
    decoded += int64_t(slice.size());
    const std::vector<char> accepted = processBatchFast(slice, decoder, crop, image, o, data, state, stats);
    for (size_t j = 0; j < chosen.size(); ++j) status[size_t(chosen[j])] = accepted[j] ? Found : Empty;
  }
}

std::vector<Candidate> processCrop(const cv::Mat& rgb, const amg::CropBox& crop, const std::vector<cv::Point2d>& grid,
                                   AmgMaskDecoder& decoder, const AmgOptions& o, AmgStatistics& stats) {
  const cv::Size image = rgb.size();
  decoder.setImage(rgb(crop.box).clone());
  const std::vector<cv::Point2d> points = scaledGrid(grid, crop.box);
  std::vector<Candidate> data;
  const size_t batch = size_t(std::max(1, o.points_per_batch));
  if (!o.fast) {
    for (size_t start = 0; start < points.size(); start += batch) {
      const std::vector<cv::Point2d> slice(points.begin() + long(start), points.begin() + long(std::min(points.size(), start + batch)));
      processBatchExact(slice, decoder, crop, image, o, data, stats);
    }
  } else {
    decodeCoarseToFine(points, decoder, crop, image, o, data, stats);
  }
  data = nmsCandidates(std::move(data), o.box_nms_thresh);
  if (o.fast && !data.empty()) {
    std::vector<cv::Mat> low;
    for (const Candidate& c : data) low.push_back(c.low_res);
    const std::vector<cv::Mat> full = decoder.upscaleLowRes(low);
    stats.masks_upscaled += int64_t(full.size());
    for (size_t i = 0; i < data.size(); ++i) {
      data[i].rle = rleOfCropMask(full[i], crop.box, image);
      data[i].box = amg::maskBox(full[i], 0.0f);
      data[i].low_res.release();
    }
  }
  for (Candidate& c : data) {  // uncrop boxes and points
    c.box = {c.box.x0 + crop.box.x, c.box.y0 + crop.box.y, c.box.x1 + crop.box.x, c.box.y1 + crop.box.y};
    c.point += cv::Point2d(crop.box.x, crop.box.y);
  }
  return data;
}

amg::Box boxOfMask(const cv::Mat& mask) {
  cv::Mat f;
  mask.convertTo(f, CV_32F);
  return amg::maskBox(f, 0.5f);
}

// postprocess_small_regions: fill small holes, remove small islands, NMS preferring unchanged masks.
void removeSmallRegionsAndNms(std::vector<AmgMask>& masks, int min_area, double nms_threshold) {
  if (masks.empty()) return;
  std::vector<cv::Mat> decoded;
  std::vector<float> scores;
  std::vector<Box> boxes;
  for (const AmgMask& m : masks) {
    cv::Mat mask = decodeRle(m.segmentation);
    const bool holes_changed = amg::removeSmallRegions(mask, min_area, true);
    const bool islands_changed = amg::removeSmallRegions(mask, min_area, false);
    scores.push_back((holes_changed || islands_changed) ? 0.0f : 1.0f);
    boxes.push_back(boxOfMask(mask));
    decoded.push_back(mask);
  }
  const std::vector<int> keep = amg::nms(boxes, scores, nms_threshold);
  std::vector<AmgMask> out;
  for (int i : keep) {
    AmgMask m = std::move(masks[size_t(i)]);
    if (scores[size_t(i)] == 0.0f) {
      m.segmentation = encodeMask(decoded[size_t(i)]);
      m.box = boxes[size_t(i)];
    }
    out.push_back(std::move(m));
  }
  masks = std::move(out);
}

}  // namespace

std::vector<AmgMask> generateMasks(const cv::Mat& rgb, AmgMaskDecoder& decoder, const AmgOptions& o, AmgStatistics* statistics) {
  if (rgb.type() != CV_8UC3) throw Error("the automatic mask generator needs an 8-bit RGB image");
  if (o.points_per_side < 1 || o.points_per_batch < 1) throw Error("automatic mask generator: points_per_side and points_per_batch must be ≥ 1");
  if (o.fast && o.fast_points_per_batch < 1) throw Error("automatic mask generator: fast_points_per_batch must be ≥ 1");
  AmgStatistics stats;
  const auto grids = amg::layerPointGrids(o.points_per_side, o.crop_n_layers, o.crop_n_points_downscale_factor);
  const auto crops = amg::cropBoxes(rgb.size(), o.crop_n_layers, o.crop_overlap_ratio);
  std::vector<Candidate> data;
  std::vector<cv::Rect> crop_of;
  for (const amg::CropBox& crop : crops) {
    std::vector<Candidate> part = processCrop(rgb, crop, grids[size_t(crop.layer)], decoder, o, stats);
    for (Candidate& c : part) {
      crop_of.push_back(crop.box);
      data.push_back(std::move(c));
    }
  }
  std::vector<int> order(data.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
  if (crops.size() > 1) {
    // Duplicates across crops: prefer masks from smaller crops (score 1 / crop area).
    std::vector<Box> boxes;
    std::vector<float> scores;
    for (size_t i = 0; i < data.size(); ++i) {
      boxes.push_back(data[i].box);
      scores.push_back(1.0f / float(int64_t(crop_of[i].width) * crop_of[i].height));
    }
    order = amg::nms(boxes, scores, o.crop_nms_thresh);
  }
  std::vector<AmgMask> masks;
  masks.reserve(order.size());
  for (int i : order) {
    Candidate& c = data[size_t(i)];
    AmgMask m;
    m.segmentation = std::move(c.rle);
    m.box = c.box;
    m.predicted_iou = c.iou;
    m.stability_score = c.stability;
    m.point = c.point;
    m.crop_box = crop_of[size_t(i)];
    masks.push_back(std::move(m));
  }
  if (o.min_mask_region_area > 0) removeSmallRegionsAndNms(masks, o.min_mask_region_area, std::max(o.box_nms_thresh, o.crop_nms_thresh));
  for (AmgMask& m : masks) m.area = rleArea(m.segmentation);
  if (statistics) *statistics = stats;
  return masks;
}

}  // namespace regionlab
