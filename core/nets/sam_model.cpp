#include "core/nets/sam_model.h"

#include <sstream>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include "core/base/error.h"
#include "core/nets/sam_image_encoder.h"
#include "core/nets/sam_mask_decoder.h"
#include "core/nets/sam_preprocess.h"
#include "core/nets/sam_prompt_encoder.h"
#include "core/nets/state_dict.h"
#include "core/nets/tiny_vit.h"

namespace regionlab::nets {
namespace {

struct VitPreset {
  int width, depth;
  std::vector<int> global_blocks;
};

VitPreset vitPreset(SamArchitecture a) {
  switch (a) {
    case SamArchitecture::VitB: return {768, 12, {2, 5, 8, 11}};
    case SamArchitecture::VitL: return {1024, 24, {5, 11, 17, 23}};
    case SamArchitecture::VitH: return {1280, 32, {7, 15, 23, 31}};
    case SamArchitecture::TinyVit: break;
  }
  return {0, 0, {}};
}

// What the file holds, in words, for "wrong checkpoint" messages.
std::string heldModel(const StateDict& w) {
  if (w.contains("image_encoder.patch_embed.seq.0.c.weight")) return "MobileSAM (TinyViT)";
  if (const at::Tensor* qkv = w.find("image_encoder.blocks.0.attn.qkv.weight")) {
    const int64_t width = qkv->size(1);
    const int depth = w.countIndexed("image_encoder.blocks.");
    for (SamArchitecture a : {SamArchitecture::VitB, SamArchitecture::VitL, SamArchitecture::VitH}) {
      if (vitPreset(a).width == width && vitPreset(a).depth == depth) return samArchitectureName(a);
    }
    return "a SAM ViT of width " + std::to_string(width) + " and depth " + std::to_string(depth);
  }
  return "no SAM image encoder";
}

cv::Mat toMat(const at::Tensor& t) {  // 2-D float tensor → CV_32F copy
  const at::Tensor c = t.contiguous();
  return cv::Mat(int(c.size(0)), int(c.size(1)), CV_32F, const_cast<float*>(c.data_ptr<float>())).clone();
}

}  // namespace

const char* samCheckpointFileName(SamArchitecture a) {
  switch (a) {
    case SamArchitecture::VitB: return "sam_vit_b_01ec64.pth";
    case SamArchitecture::VitL: return "sam_vit_l_0b3195.pth";
    case SamArchitecture::VitH: return "sam_vit_h_4b8939.pth";
    case SamArchitecture::TinyVit: return "mobile_sam.pt";
  }
  return "";
}

const char* samArchitectureName(SamArchitecture a) {
  switch (a) {
    case SamArchitecture::VitB: return "SAM ViT-B";
    case SamArchitecture::VitL: return "SAM ViT-L";
    case SamArchitecture::VitH: return "SAM ViT-H";
    case SamArchitecture::TinyVit: return "MobileSAM (TinyViT)";
  }
  return "";
}

struct SamModel::Impl {
  SamArchitecture architecture = SamArchitecture::VitB;
  std::unique_ptr<SamImageEncoder> encoder;
  std::unique_ptr<SamPromptEncoder> prompt;
  std::unique_ptr<SamMaskDecoder> decoder;
  InferenceSettings settings;
};

SamModel::SamModel() = default;
SamModel::~SamModel() = default;
SamModel::SamModel(SamModel&&) noexcept = default;
SamModel& SamModel::operator=(SamModel&&) noexcept = default;

SamModel SamModel::load(const std::filesystem::path& checkpoint, SamArchitecture architecture, const SamModelOptions& options) {
  return fromStateDict(StateDict::load(checkpoint), architecture, options);
}

SamModel SamModel::fromStateDict(const StateDict& w, SamArchitecture architecture, const SamModelOptions& options) {
  const bool tiny_in_file = w.contains("image_encoder.patch_embed.seq.0.c.weight");
  const bool wants_tiny = architecture == SamArchitecture::TinyVit;
  if (!w.contains("mask_decoder.iou_token.weight") || (!tiny_in_file && !w.contains("image_encoder.blocks.0.attn.qkv.weight"))) {
    w.fail(std::string("not a Segment Anything checkpoint (holds ") + heldModel(w) + "; expected " + samArchitectureName(architecture) + ")");
  }
  if (tiny_in_file != wants_tiny) {
    w.fail("this checkpoint holds " + heldModel(w) + ", not " + samArchitectureName(architecture) + " (expected " +
           samCheckpointFileName(architecture) + ")");
  }
  SamModel model;
  model.impl_ = std::make_unique<Impl>();
  Impl& m = *model.impl_;
  m.architecture = architecture;
  m.settings = resolveInference(options);
  applyInferenceThreads(m.settings);
  const StateDict encoder = w.scope("image_encoder.");
  if (wants_tiny) {
    m.encoder = loadTinyVitEncoder(encoder, m.settings);
  } else {
    SamVitShape shape;
    m.encoder = loadSamVitEncoder(encoder, m.settings, &shape);
    const VitPreset preset = vitPreset(architecture);
    if (options.check_architecture &&
        (shape.width != preset.width || shape.depth != preset.depth || shape.global_blocks != preset.global_blocks)) {
      w.fail("this checkpoint holds " + heldModel(w) + " [" + m.encoder->describe() + "], not " + samArchitectureName(architecture) +
             " (expected " + samCheckpointFileName(architecture) + ")");
    }
  }
  m.prompt = std::make_unique<SamPromptEncoder>(w.scope("prompt_encoder."));
  m.decoder = std::make_unique<SamMaskDecoder>(w.scope("mask_decoder."), options.decoder_heads);
  if (m.encoder->outChannels() != m.prompt->dim()) {
    w.fail("image encoder output (" + std::to_string(m.encoder->outChannels()) + " channels) does not match the prompt encoder (" +
           std::to_string(m.prompt->dim()) + ")");
  }
  return model;
}

SamArchitecture SamModel::architecture() const { return impl_->architecture; }
int SamModel::threads() const { return impl_->settings.threads; }
const InferenceSettings& SamModel::settings() const { return impl_->settings; }
std::string SamModel::describe() const { return std::string(samArchitectureName(impl_->architecture)) + ": " + impl_->encoder->describe(); }
const SamImageEncoder& SamModel::imageEncoder() const { return *impl_->encoder; }
const SamPromptEncoder& SamModel::promptEncoder() const { return *impl_->prompt; }
const SamMaskDecoder& SamModel::maskDecoder() const { return *impl_->decoder; }

SamEmbedding SamModel::encode(const cv::Mat& rgb) const {
  if (rgb.type() != CV_8UC3) throw Error("SAM needs an 8-bit RGB image (grey and alpha images are converted by the image decoder)");
  if (rgb.cols < 16 || rgb.rows < 16) {
    throw Error("image of " + std::to_string(rgb.cols) + "×" + std::to_string(rgb.rows) + " pixels is smaller than one 16-pixel SAM patch");
  }
  cv::Size resized;
  const std::vector<float> input = samPreprocess(rgb, &resized);
  return encodeInput(input.data(), rgb.size(), resized);
}

SamEmbedding SamModel::encodeInput(const float* input, cv::Size original_size, cv::Size input_size) const {
  c10::InferenceMode guard;
  const at::Tensor x = at::from_blob(const_cast<float*>(input), {1, 3, kSamInputSize, kSamInputSize}, at::kFloat);
  const at::Tensor e = impl_->encoder->forward(x).to(at::kCPU, at::kFloat).contiguous();
  SamEmbedding out;
  out.channels = int(e.size(1));
  out.grid = int(e.size(2));
  out.values.assign(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
  out.original_size = original_size;
  out.input_size = input_size;
  return out;
}

SamMasks SamModel::predict(const SamEmbedding& embedding, const SamPrompt& prompt, bool full_size) const {
  if (embedding.empty()) throw Error("SAM prediction without an image embedding");
  if (prompt.points.size() != prompt.labels.size()) throw Error("SAM prompt: every point needs a label");
  if (prompt.points.empty() && !prompt.box && prompt.mask_input.empty()) throw Error("SAM prompt is empty: give a point, a box or a mask");
  c10::InferenceMode guard;
  applyInferenceThreads(impl_->settings);
  // ResizeLongestSide.apply_coords, in double as numpy does, then float32.
  const double sx = double(embedding.input_size.width) / embedding.original_size.width;
  const double sy = double(embedding.input_size.height) / embedding.original_size.height;
  at::Tensor points, labels, box, mask;
  if (!prompt.points.empty()) {
    const int64_t n = int64_t(prompt.points.size());
    points = at::empty({1, n, 2}, at::kFloat);
    labels = at::empty({1, n}, at::kFloat);
    for (int64_t i = 0; i < n; ++i) {
      points[0][i][0] = float(double(prompt.points[size_t(i)].x) * sx);
      points[0][i][1] = float(double(prompt.points[size_t(i)].y) * sy);
      labels[0][i] = float(prompt.labels[size_t(i)]);
    }
  }
  if (prompt.box) {
    const SamBox& b = *prompt.box;
    box = at::tensor({float(b.x0 * sx), float(b.y0 * sy), float(b.x1 * sx), float(b.y1 * sy)}).view({1, 4});
  }
  if (!prompt.mask_input.empty()) {
    if (prompt.mask_input.type() != CV_32F || prompt.mask_input.rows != 256 || prompt.mask_input.cols != 256) {
      throw Error("SAM mask input must be the 256×256 low-resolution logits of a previous prediction");
    }
    mask = at::from_blob(prompt.mask_input.clone().data, {1, 1, 256, 256}, at::kFloat).clone();
  }
  at::Tensor sparse, dense;
  impl_->prompt->forward(points.defined() ? &points : nullptr, labels.defined() ? &labels : nullptr, box.defined() ? &box : nullptr,
                         mask.defined() ? &mask : nullptr, sparse, dense);
  const at::Tensor image =
      at::from_blob(const_cast<float*>(embedding.values.data()), {1, embedding.channels, embedding.grid, embedding.grid}, at::kFloat);
  at::Tensor low_res, iou;
  impl_->decoder->forward(image, impl_->prompt->denseImagePe(), sparse, dense, prompt.multimask, low_res, iou);
  SamMasks out;
  const int64_t k = low_res.size(1);
  for (int64_t i = 0; i < k; ++i) {
    out.iou.push_back(iou[0][i].item<float>());
    out.low_res_logits.push_back(toMat(low_res[0][i]));
  }
  if (full_size) {
    // Sam.postprocess_masks: bilinear to 1024², crop to the resized image, bilinear to the original.
    at::Tensor up = at::upsample_bilinear2d(low_res, {kSamInputSize, kSamInputSize}, false);
    up = up.slice(2, 0, embedding.input_size.height).slice(3, 0, embedding.input_size.width);
    up = at::upsample_bilinear2d(up, {embedding.original_size.height, embedding.original_size.width}, false);
    for (int64_t i = 0; i < k; ++i) out.logits.push_back(toMat(up[0][i]));
  }
  return out;
}

}  // namespace regionlab::nets
