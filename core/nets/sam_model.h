#pragma once
// Segment Anything (Kirillov et al., ICCV 2023) and MobileSAM (Zhang et al., 2023) on libtorch,
// loaded straight from the official checkpoints (sam_vit_{b,l,h}_*.pth, mobile_sam.pt) with the
// checkpoint reader: image encoder, prompt encoder and mask decoder, numerically matching the
// official code (golden parity tests: 1e-4 on embeddings, IoU and low-resolution logits).
//
// Torch-free interface (DESIGN.md): embeddings and masks are plain values, so the interactive
// predictor can cache them and the GUI can hold them without including torch.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/nets/inference_options.h"

namespace regionlab::nets {

class StateDict;
class SamImageEncoder;
class SamPromptEncoder;
class SamMaskDecoder;

enum class SamArchitecture { VitB, VitL, VitH, TinyVit };

// "vit_b" → "sam_vit_b_01ec64.pth" etc. (official names, as the model directory stores them).
const char* samCheckpointFileName(SamArchitecture architecture);
const char* samArchitectureName(SamArchitecture architecture);  // "SAM ViT-B", …, "MobileSAM (TinyViT)"

// The inherited InferenceOptions choose where the image encoder runs (device, precision — fp32 by
// default, the precision of the parity tests; bf16 optional — and torch threads, 0 = every core).
// The prompt encoder and mask decoder run on the CPU in fp32.
struct SamModelOptions : InferenceOptions {
  // Attention heads of the mask decoder's transformer: not recorded in a checkpoint; 8 in SAM
  // ViT-B/L/H and MobileSAM (the golden tiny checkpoints use 2).
  int decoder_heads = 8;
  // Check that the encoder in the file is the chosen architecture (width, depth, global blocks);
  // off for the tiny golden checkpoints, whose encoders are not official sizes.
  bool check_architecture = true;
};

// The image embedding of one image, plus the geometry needed to map prompts and masks.
struct SamEmbedding {
  int channels = 0;
  int grid = 0;                  // 64
  std::vector<float> values;     // channels × grid × grid
  cv::Size original_size;        // the image given to encode()
  cv::Size input_size;           // the resized image inside the 1024×1024 input
  bool empty() const { return values.empty(); }
};

struct SamBox {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // original-image pixels, XYXY as segment-anything
};

struct SamPrompt {
  std::vector<cv::Point2f> points;  // original-image pixel coordinates
  std::vector<int> labels;          // 1 foreground, 0 background (same length as points)
  std::optional<SamBox> box;
  cv::Mat mask_input;               // optional 256×256 CV_32F low-res logits from a previous prediction
  bool multimask = true;            // 3 masks (ambiguity-aware) or the single output 0
};

struct SamMasks {
  std::vector<float> iou;                 // predicted IoU per mask
  std::vector<cv::Mat> low_res_logits;    // 256×256 CV_32F, feed back as SamPrompt::mask_input
  std::vector<cv::Mat> logits;            // original size CV_32F; the mask is logits > 0
};

class SamModel {
public:
  // Throws Error(file, reason) for a missing/truncated file or a checkpoint of another model.
  static SamModel load(const std::filesystem::path& checkpoint, SamArchitecture architecture, const SamModelOptions& options = {});
  static SamModel fromStateDict(const StateDict& weights, SamArchitecture architecture, const SamModelOptions& options = {});

  SamModel();
  ~SamModel();
  SamModel(SamModel&&) noexcept;
  SamModel& operator=(SamModel&&) noexcept;

  SamArchitecture architecture() const;
  // "SAM ViT-B: ViT image encoder (768 wide, …)".
  std::string describe() const;
  int threads() const;
  const InferenceSettings& settings() const;

  // rgb: CV_8UC3, RGB. Resize-longest-side (Pillow-exact), normalise, pad, encode.
  SamEmbedding encode(const cv::Mat& rgb) const;
  // The already preprocessed 3×1024×1024 input (golden tests feed the reference's input).
  SamEmbedding encodeInput(const float* input, cv::Size original_size, cv::Size input_size) const;
  // Prompt → masks. full_size=false skips the upscaling to the original resolution.
  SamMasks predict(const SamEmbedding& embedding, const SamPrompt& prompt, bool full_size = true) const;

  // For the nets-internal users (automatic mask generator adapter).
  const SamImageEncoder& imageEncoder() const;
  const SamPromptEncoder& promptEncoder() const;
  const SamMaskDecoder& maskDecoder() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace regionlab::nets
