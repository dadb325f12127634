#include "core/regions/rle.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/base/error.h"

namespace regionlab {
namespace {

// Walks the 1-runs of an RLE as [begin, end) pixel offsets in column-major order.
template <typename Fn>
void forEachOneRun(const Rle& rle, Fn&& fn) {
  uint64_t pos = 0;
  for (size_t i = 0; i < rle.counts.size(); ++i) {
    const uint64_t next = pos + rle.counts[i];
    if ((i & 1) == 1 && next > pos) fn(pos, next);
    pos = next;
  }
}

// Builds an RLE from sorted, non-overlapping, non-adjacent 1-runs.
Rle rleFromRuns(int height, int width, const std::vector<std::pair<uint64_t, uint64_t>>& runs) {
  Rle out{height, width, {}};
  uint64_t pos = 0;
  for (const auto& [b, e] : runs) {
    out.counts.push_back(uint32_t(b - pos));
    out.counts.push_back(uint32_t(e - b));
    pos = e;
  }
  const uint64_t total = uint64_t(height) * uint64_t(width);
  if (pos < total || out.counts.empty()) out.counts.push_back(uint32_t(total - pos));
  return out;
}

std::vector<std::pair<uint64_t, uint64_t>> oneRuns(const Rle& rle) {
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  forEachOneRun(rle, [&](uint64_t b, uint64_t e) { runs.emplace_back(b, e); });
  return runs;
}

void checkSameSize(const Rle& a, const Rle& b) {
  if (a.height != b.height || a.width != b.width) {
    throw Error("masks of different sizes: " + std::to_string(a.width) + "x" + std::to_string(a.height) + " and " +
                std::to_string(b.width) + "x" + std::to_string(b.height));
  }
}

}  // namespace

Rle encodeMask(const cv::Mat& mask) {
  CV_Assert(mask.type() == CV_8U);
  cv::Mat t;
  cv::transpose(mask, t);  // rows of t are the columns of mask: column-major becomes row-major
  Rle rle{mask.rows, mask.cols, {}};
  uint8_t current = 0;
  uint32_t run = 0;
  for (int r = 0; r < t.rows; ++r) {
    const uint8_t* p = t.ptr<uint8_t>(r);
    for (int c = 0; c < t.cols; ++c) {
      const uint8_t v = p[c] != 0;
      if (v != current) {
        rle.counts.push_back(run);
        run = 0;
        current = v;
      }
      ++run;
    }
  }
  rle.counts.push_back(run);
  return rle;
}

std::vector<Rle> encodeLabelMap(const cv::Mat& labels, int num_labels) {
  CV_Assert(labels.type() == CV_32S);
  cv::Mat t;
  cv::transpose(labels, t);
  const int height = labels.rows, width = labels.cols;
  std::vector<Rle> out(num_labels, Rle{height, width, {}});
  std::vector<uint64_t> last_end(num_labels, 0);
  const int32_t* p = t.ptr<int32_t>(0);
  CV_Assert(t.isContinuous());
  const uint64_t total = uint64_t(height) * width;
  uint64_t i = 0;
  while (i < total) {
    const int32_t label = p[i];
    uint64_t j = i + 1;
    while (j < total && p[j] == label) ++j;
    if (label >= 0 && label < num_labels) {
      out[label].counts.push_back(uint32_t(i - last_end[label]));
      out[label].counts.push_back(uint32_t(j - i));
      last_end[label] = j;
    }
    i = j;
  }
  for (int l = 0; l < num_labels; ++l) {
    if (last_end[l] < total || out[l].counts.empty()) out[l].counts.push_back(uint32_t(total - last_end[l]));
  }
  return out;
}

cv::Mat decodeRle(const Rle& rle) {
  cv::Mat t = cv::Mat::zeros(rle.width, rle.height, CV_8U);  // column-major buffer
  uint8_t* p = t.ptr<uint8_t>(0);
  forEachOneRun(rle, [&](uint64_t b, uint64_t e) { std::memset(p + b, 1, e - b); });
  cv::Mat mask;
  cv::transpose(t, mask);
  return mask;
}

int64_t rleArea(const Rle& rle) {
  int64_t area = 0;
  for (size_t i = 1; i < rle.counts.size(); i += 2) area += rle.counts[i];
  return area;
}

BoundingBox rleBoundingBox(const Rle& rle) {
  if (rle.height <= 0) return {};
  const uint64_t h = uint64_t(rle.height);
  int64_t x0 = INT64_MAX, x1 = -1, y0 = INT64_MAX, y1 = -1;
  forEachOneRun(rle, [&](uint64_t b, uint64_t e) {
    const int64_t cb = int64_t(b / h), ce = int64_t((e - 1) / h);
    x0 = std::min(x0, cb);
    x1 = std::max(x1, ce);
    if (cb == ce) {
      y0 = std::min(y0, int64_t(b % h));
      y1 = std::max(y1, int64_t((e - 1) % h));
    } else {  // a run crossing a column boundary touches both the bottom and the top row
      y0 = 0;
      y1 = int64_t(h) - 1;
    }
  });
  if (x1 < 0) return {};
  return {int(x0), int(y0), int(x1 - x0 + 1), int(y1 - y0 + 1)};
}

int64_t rleIntersectionArea(const Rle& a, const Rle& b) {
  checkSameSize(a, b);
  const auto ra = oneRuns(a), rb = oneRuns(b);
  int64_t inter = 0;
  size_t i = 0, j = 0;
  while (i < ra.size() && j < rb.size()) {
    const uint64_t lo = std::max(ra[i].first, rb[j].first), hi = std::min(ra[i].second, rb[j].second);
    if (hi > lo) inter += int64_t(hi - lo);
    if (ra[i].second < rb[j].second) ++i; else ++j;
  }
  return inter;
}

double rleIoU(const Rle& a, const Rle& b) {
  const int64_t inter = rleIntersectionArea(a, b);
  const int64_t uni = rleArea(a) + rleArea(b) - inter;
  return uni > 0 ? double(inter) / double(uni) : 0.0;
}

bool rleContains(const Rle& rle, int x, int y) {
  if (x < 0 || y < 0 || x >= rle.width || y >= rle.height) return false;
  const uint64_t target = uint64_t(x) * uint64_t(rle.height) + uint64_t(y);
  uint64_t pos = 0;
  for (size_t i = 0; i < rle.counts.size(); ++i) {
    pos += rle.counts[i];
    if (target < pos) return (i & 1) == 1;
  }
  return false;
}

Rle rleComplement(const Rle& rle) {
  Rle out{rle.height, rle.width, {}};
  if (!rle.counts.empty() && rle.counts[0] == 0) {
    out.counts.assign(rle.counts.begin() + 1, rle.counts.end());
  } else {
    out.counts.reserve(rle.counts.size() + 1);
    out.counts.push_back(0);
    out.counts.insert(out.counts.end(), rle.counts.begin(), rle.counts.end());
  }
  if (out.counts.empty()) out.counts.push_back(0);
  return out;
}

Rle rleIntersection(const Rle& a, const Rle& b) {
  checkSameSize(a, b);
  const auto ra = oneRuns(a), rb = oneRuns(b);
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  size_t i = 0, j = 0;
  while (i < ra.size() && j < rb.size()) {
    const uint64_t lo = std::max(ra[i].first, rb[j].first), hi = std::min(ra[i].second, rb[j].second);
    if (hi > lo) {
      if (!runs.empty() && runs.back().second == lo) runs.back().second = hi; else runs.emplace_back(lo, hi);
    }
    if (ra[i].second < rb[j].second) ++i; else ++j;
  }
  return rleFromRuns(a.height, a.width, runs);
}

Rle rleUnion(const Rle& a, const Rle& b) {
  checkSameSize(a, b);
  auto runs = oneRuns(a);
  const auto rb = oneRuns(b);
  runs.insert(runs.end(), rb.begin(), rb.end());
  std::sort(runs.begin(), runs.end());
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (const auto& r : runs) {
    if (!merged.empty() && r.first <= merged.back().second) merged.back().second = std::max(merged.back().second, r.second);
    else merged.push_back(r);
  }
  return rleFromRuns(a.height, a.width, merged);
}

void validateRle(const Rle& rle, const std::string& what) {
  if (rle.height <= 0 || rle.width <= 0) throw Error(what + ": mask has invalid size " + std::to_string(rle.width) + "x" + std::to_string(rle.height));
  uint64_t sum = 0;
  for (size_t i = 0; i < rle.counts.size(); ++i) {
    if (i > 0 && rle.counts[i] == 0 && i + 1 < rle.counts.size()) throw Error(what + ": mask has an empty run at position " + std::to_string(i));
    sum += rle.counts[i];
  }
  const uint64_t total = uint64_t(rle.height) * uint64_t(rle.width);
  if (sum != total) throw Error(what + ": mask counts sum to " + std::to_string(sum) + ", expected " + std::to_string(total) + " pixels");
}

std::vector<uint8_t> rleCountsToBytes(const Rle& rle) {
  std::vector<uint8_t> out(rle.counts.size() * 4);
  for (size_t i = 0; i < rle.counts.size(); ++i) {
    const uint32_t v = rle.counts[i];
    out[4 * i] = uint8_t(v);
    out[4 * i + 1] = uint8_t(v >> 8);
    out[4 * i + 2] = uint8_t(v >> 16);
    out[4 * i + 3] = uint8_t(v >> 24);
  }
  return out;
}

Rle rleFromCountBytes(std::span<const uint8_t> bytes, int height, int width) {
  if (bytes.size() % 4 != 0) throw Error("mask data is " + std::to_string(bytes.size()) + " bytes, not a whole number of counts");
  Rle rle{height, width, std::vector<uint32_t>(bytes.size() / 4)};
  for (size_t i = 0; i < rle.counts.size(); ++i) {
    rle.counts[i] = uint32_t(bytes[4 * i]) | (uint32_t(bytes[4 * i + 1]) << 8) | (uint32_t(bytes[4 * i + 2]) << 16) |
                    (uint32_t(bytes[4 * i + 3]) << 24);
  }
  return rle;
}

// pycocotools' LEB128-like code: 5 bits per char (+48), a continuation bit, and from the third
// count on each count is stored as the difference to the count two places before it.
std::string rleToCocoString(const Rle& rle) {
  std::string s;
  for (size_t i = 0; i < rle.counts.size(); ++i) {
    int64_t x = int64_t(rle.counts[i]);
    if (i > 2) x -= int64_t(rle.counts[i - 2]);
    bool more = true;
    while (more) {
      int64_t c = x & 0x1f;
      x >>= 5;
      more = (c & 0x10) ? x != -1 : x != 0;
      if (more) c |= 0x20;
      s.push_back(char(c + 48));
    }
  }
  return s;
}

Rle rleFromCocoString(const std::string& s, int height, int width) {
  Rle rle{height, width, {}};
  size_t p = 0;
  while (p < s.size()) {
    int64_t x = 0;
    int k = 0;
    bool more = true;
    while (more) {
      if (p >= s.size()) throw Error("compressed RLE string ends inside a count");
      const int64_t c = int64_t(s[p]) - 48;
      if (c < 0 || c > 63) throw Error("compressed RLE string has an invalid character at offset " + std::to_string(p));
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      ++p;
      ++k;
      if (!more && (c & 0x10)) x |= -1LL << (5 * k);
    }
    if (rle.counts.size() > 2) x += int64_t(rle.counts[rle.counts.size() - 2]);
    if (x < 0 || x > int64_t(UINT32_MAX)) throw Error("compressed RLE string decodes to an invalid count");
    rle.counts.push_back(uint32_t(x));
  }
  return rle;
}

}  // namespace regionlab
