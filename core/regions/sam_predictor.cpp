#include "core/regions/sam_predictor.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "core/base/error.h"

namespace regionlab {

namespace fs = std::filesystem;

namespace {
constexpr char kMagic[8] = {'R', 'L', 'S', 'A', 'M', 'E', '1', '\0'};
}

SamPredictor::SamPredictor(std::shared_ptr<const nets::SamModel> model, SamPredictorOptions options)
    : model_(std::move(model)), options_(std::move(options)) {}

fs::path SamPredictor::diskFile(const std::string& key) const {
  std::string safe = options_.cache_namespace + "-" + key;
  for (char& c : safe) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return options_.disk_cache / (safe.substr(0, 200) + ".samemb");
}

std::shared_ptr<const nets::SamEmbedding> SamPredictor::readDisk(const std::string& key) const {
  if (options_.disk_cache.empty()) return nullptr;
  std::ifstream in(diskFile(key), std::ios::binary);
  if (!in) return nullptr;
  char magic[8];
  int32_t header[6];
  in.read(magic, 8);
  in.read(reinterpret_cast<char*>(header), sizeof(header));
  if (!in || std::memcmp(magic, kMagic, 8) != 0 || header[0] <= 0 || header[1] <= 0) return nullptr;  // stale or foreign: re-encode
  auto e = std::make_shared<nets::SamEmbedding>();
  e->channels = header[0];
  e->grid = header[1];
  e->original_size = {header[2], header[3]};
  e->input_size = {header[4], header[5]};
  e->values.resize(size_t(e->channels) * size_t(e->grid) * size_t(e->grid));
  in.read(reinterpret_cast<char*>(e->values.data()), std::streamsize(e->values.size() * sizeof(float)));
  if (!in) return nullptr;  // truncated: a cache miss, the file is rewritten
  return e;
}

void SamPredictor::writeDisk(const std::string& key, const nets::SamEmbedding& e) const {
  if (options_.disk_cache.empty()) return;
  std::error_code ec;
  fs::create_directories(options_.disk_cache, ec);
  const fs::path file = diskFile(key);
  const fs::path partial = file.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(options_.disk_cache, "cannot write the SAM embedding cache");
    const int32_t header[6] = {e.channels, e.grid, e.original_size.width, e.original_size.height, e.input_size.width, e.input_size.height};
    out.write(kMagic, 8);
    out.write(reinterpret_cast<const char*>(header), sizeof(header));
    out.write(reinterpret_cast<const char*>(e.values.data()), std::streamsize(e.values.size() * sizeof(float)));
    if (!out) throw Error(partial, "cannot write the SAM embedding cache (disk full?)");
  }
  fs::rename(partial, file, ec);  // complete files only: a crash leaves at most a .partial
  // Size bound: remove the oldest cache files first.
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  int64_t total = 0;
  for (const auto& entry : fs::directory_iterator(options_.disk_cache, ec)) {
    if (entry.path().extension() != ".samemb") continue;
    total += int64_t(entry.file_size(ec));
    files.emplace_back(entry.last_write_time(ec), entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& [time, path] : files) {
    if (total <= options_.disk_cache_bytes || path == file) continue;
    total -= int64_t(fs::file_size(path, ec));
    fs::remove(path, ec);
  }
}

void SamPredictor::setImage(const cv::Mat& rgb, const std::string& key) {
  last_cached_ = true;
  for (auto it = memory_.begin(); it != memory_.end(); ++it) {
    if (it->first == key) {
      memory_.splice(memory_.begin(), memory_, it);
      current_ = memory_.front().second;
      return;
    }
  }
  std::shared_ptr<const nets::SamEmbedding> e = readDisk(key);
  if (!e || e->original_size != rgb.size()) {
    last_cached_ = false;
    auto fresh = std::make_shared<nets::SamEmbedding>(model_->encode(rgb));
    writeDisk(key, *fresh);
    e = fresh;
  }
  memory_.emplace_front(key, e);
  while (memory_.size() > std::max<size_t>(1, options_.memory_cache_images)) memory_.pop_back();
  current_ = e;
}

nets::SamMasks SamPredictor::predict(const nets::SamPrompt& prompt) const {
  if (!current_) throw Error("SAM predictor: no image set (call setImage first)");
  return model_->predict(*current_, prompt);
}

}  // namespace regionlab
