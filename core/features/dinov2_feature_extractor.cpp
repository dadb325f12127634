#include "core/features/dinov2_feature_extractor.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include <ATen/ATen.h>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/features/dinov2_preprocess.h"
#include "core/models/model_directory.h"
#include "core/nets/checkpoint_sha256.h"
#include "core/nets/dinov2.h"
#include "core/nets/state_dict.h"

namespace regionlab {

namespace fs = std::filesystem;

struct DinoV2FeatureExtractor::Impl {
  nets::DinoV2Preset preset;
  fs::path checkpoint;
  std::string sha256;
  FeatureExtractorOptions options;
  nets::InferenceSettings settings;
  nets::DinoV2Architecture arch;
  // The network is built (weights folded and copied: seconds and GBs for the large models) on
  // the first image, not when the collection's status merely names the active models.
  mutable nets::StateDict weights;  // mapped, until the network is built
  mutable std::once_flag built;
  mutable std::unique_ptr<nets::DinoV2> net;

  const nets::DinoV2& network() const {
    std::call_once(built, [&] {
      net = std::make_unique<nets::DinoV2>(weights, arch, settings);
      weights = nets::StateDict();  // the network holds its own copy; release the mapping
    });
    return *net;
  }

  int patch() const { return arch.patch_size; }
  int channels() const { return arch.embed_dim; }

  // Patch tokens (h·w × D, float32, on the CPU) of a normalised 3 × height × width window.
  at::Tensor tokensOf(const float* pixels, int height, int width) const {
    const at::Tensor image = at::from_blob(const_cast<float*>(pixels), {1, 3, height, width}, at::kFloat);
    const at::Tensor x = network().forward(image);
    const int skip = arch.tokensBeforePatches();
    return x[0].narrow(0, skip, x.size(1) - skip).to(at::kCPU, at::kFloat).contiguous();
  }

  PatchFeatures whole(const cv::Mat& rgb) const {
    const Dinov2Input in = centrePadAndNormalise(rgb, patch());
    const at::Tensor tokens = tokensOf(in.pixels.data(), in.padded_height, in.padded_width);
    PatchFeatures f;
    f.tokens.assign(tokens.data_ptr<float>(), tokens.data_ptr<float>() + tokens.numel());
    f.channels = channels();
    f.geometry = referencePoolingGeometry(rgb.rows, rgb.cols, patch());
    return f;
  }

  // Shrinks the image until its grid fits the budget, then maps the small image's geometry back
  // onto the original pixels (upsampled size and crop scaled by the same factor), so the masks
  // are pooled at full size. Close to, not exactly, what full-resolution features would give.
  PatchFeatures downscaled(const cv::Mat& rgb) const {
    const int p = patch(), budget = options.max_tokens;
    auto tokens = [&](int h, int w) { return int64_t((h + p - 1) / p) * int64_t((w + p - 1) / p); };
    double scale = std::sqrt(double(budget) / double(tokens(rgb.rows, rgb.cols)));
    int h = 0, w = 0;
    for (;; scale *= 0.99) {
      h = std::max(1, int(std::lround(rgb.rows * scale)));
      w = std::max(1, int(std::lround(rgb.cols * scale)));
      if (tokens(h, w) <= budget) break;
    }
    cv::Mat small;
    cv::resize(rgb, small, {w, h}, 0, 0, cv::INTER_AREA);
    PatchFeatures f = whole(small);
    PoolingGeometry& g = f.geometry;
    const double sy = double(rgb.rows) / h, sx = double(rgb.cols) / w;
    g.upsampled_height = std::max({g.grid_height, rgb.rows, int(std::lround(g.upsampled_height * sy))});
    g.upsampled_width = std::max({g.grid_width, rgb.cols, int(std::lround(g.upsampled_width * sx))});
    g.image_height = rgb.rows;
    g.image_width = rgb.cols;
    g.crop_top = std::clamp(int(std::lround(g.crop_top * sy)), 0, g.upsampled_height - g.image_height);
    g.crop_left = std::clamp(int(std::lround(g.crop_left * sx)), 0, g.upsampled_width - g.image_width);
    return f;
  }

  // Cuts the padded grid into near-equal tiles within the budget and runs each alone; the tokens
  // land in one full-resolution grid pooled as usual. Tiles do not attend to each other.
  PatchFeatures tiled(const cv::Mat& rgb) const {
    const int p = patch(), d = channels();
    const PoolingGeometry g = referencePoolingGeometry(rgb.rows, rgb.cols, p);
    const int pad_top = (g.upsampled_height - rgb.rows) / 2, pad_left = (g.upsampled_width - rgb.cols) / 2;
    const int side = std::max(1, int(std::sqrt(double(options.max_tokens))));
    const int count_y = (g.grid_height + side - 1) / side, count_x = (g.grid_width + side - 1) / side;
    PatchFeatures f;
    f.channels = d;
    f.geometry = g;
    f.tokens.assign(size_t(g.grid_height) * size_t(g.grid_width) * size_t(d), 0.0f);
    for (int ty = 0; ty < count_y; ++ty) {
      const int r0 = g.grid_height * ty / count_y, r1 = g.grid_height * (ty + 1) / count_y;
      for (int tx = 0; tx < count_x; ++tx) {
        const int c0 = g.grid_width * tx / count_x, c1 = g.grid_width * (tx + 1) / count_x;
        std::vector<float> window(3 * size_t(r1 - r0) * p * size_t(c1 - c0) * p);
        normalisePaddedWindow(rgb, pad_top, pad_left, r0 * p, c0 * p, (r1 - r0) * p, (c1 - c0) * p, window.data());
        const at::Tensor t = tokensOf(window.data(), (r1 - r0) * p, (c1 - c0) * p);
        const float* src = t.data_ptr<float>();
        for (int r = r0; r < r1; ++r) {
          const float* row = src + size_t(r - r0) * size_t(c1 - c0) * size_t(d);
          std::copy(row, row + size_t(c1 - c0) * d, f.tokens.begin() + (size_t(r) * g.grid_width + c0) * size_t(d));
        }
      }
    }
    return f;
  }
};

DinoV2FeatureExtractor::DinoV2FeatureExtractor(const nets::DinoV2Preset& preset, const fs::path& checkpoint,
                                               const FeatureExtractorOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.preset = preset;
  m.checkpoint = checkpoint;
  m.options = options;
  if (options.max_tokens < 1) throw Error("the token budget must be at least 1 (got " + std::to_string(options.max_tokens) + ")");
  m.settings = nets::resolveInference(options.inference);
  m.weights = nets::StateDict::load(checkpoint);  // maps the file and reads data.pkl only
  m.arch = nets::inferDinoV2Architecture(m.weights, preset);
  nets::checkDinoV2Weights(m.weights, m.arch);
  m.sha256 = nets::checkpointSha256(checkpoint);
}

DinoV2FeatureExtractor::~DinoV2FeatureExtractor() = default;

std::string DinoV2FeatureExtractor::name() const { return impl_->preset.name; }
std::string DinoV2FeatureExtractor::identity() const { return impl_->sha256; }
int DinoV2FeatureExtractor::dim() const { return impl_->channels(); }

std::string DinoV2FeatureExtractor::description() const {
  const Impl& m = *impl_;
  return m.preset.title + " patch features (" + m.checkpoint.filename().string() + ", " + m.arch.summary() + "), " +
         std::to_string(dim()) + "-d region vectors by exact mask pooling; " + m.settings.summary() + "; images over " +
         std::to_string(m.options.max_tokens) + " patches " + (m.options.large_images == LargeImagePolicy::Tile ? "tiled" : "downscaled");
}

DinoV2FeatureExtractor::PatchFeatures DinoV2FeatureExtractor::patchFeatures(const cv::Mat& rgb) const {
  if (rgb.type() != CV_8UC3 || rgb.empty()) throw Error("DINOv2 input must be a non-empty 8-bit RGB image");
  const Impl& m = *impl_;
  const int p = m.patch();
  const int64_t tokens = int64_t((rgb.rows + p - 1) / p) * int64_t((rgb.cols + p - 1) / p);
  if (tokens <= m.options.max_tokens) return m.whole(rgb);
  return m.options.large_images == LargeImagePolicy::Tile ? m.tiled(rgb) : m.downscaled(rgb);
}

std::vector<float> DinoV2FeatureExtractor::extract(const cv::Mat& rgb, std::span<const Rle> masks) const {
  const PatchFeatures f = patchFeatures(rgb);
  return MaskPooler(f.geometry).pool(f.tokens.data(), f.channels, masks);
}

std::unique_ptr<FeatureExtractor> createDinoV2FeatureExtractor(const nets::DinoV2Preset& preset, const FeatureExtractorOptions& options) {
  const std::optional<fs::path> file = findModelFile(preset.file_name);
  if (!file) {
    const std::string folder = preset.file_name.substr(0, preset.file_name.find("14") + 2);  // dinov2_vitl14
    throw Error(modelDirectory() / preset.file_name,
                "checkpoint not found: the descriptor '" + preset.name + "' needs the official file " + preset.file_name + " in " +
                    modelDirectory().string() + " (set REGIONLAB_MODEL_DIR to use another folder; download: https://dl.fbaipublicfiles.com/dinov2/" +
                    folder + "/" + preset.file_name + "). The embedded default descriptor 'classical' works without weights.");
  }
  return std::make_unique<DinoV2FeatureExtractor>(preset, *file, options);
}

}  // namespace regionlab
