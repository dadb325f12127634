#include "ui/browser/thumbnail_cache.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QMetaObject>
#include <QThread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/image/image_decoder.h"
#include "ui/async/background_workers.h"

namespace regionlab::ui {
namespace {

// ~64 MB of 192-pixel RGB thumbnails in memory.
constexpr int kMemoryBudgetBytes = 64 << 20;
constexpr int kJpegQuality = 85;

cv::Mat fitWithin(const cv::Mat& rgb, int width, int height) {
  const double scale = std::min({1.0, double(width) / rgb.cols, double(height) / rgb.rows});
  if (scale >= 1.0) return rgb;
  cv::Mat small;
  cv::resize(rgb, small, cv::Size(std::max(1, int(rgb.cols * scale + 0.5)), std::max(1, int(rgb.rows * scale + 0.5))), 0, 0,
             cv::INTER_AREA);
  return small;
}

// In the backing store's own format, so that painting is a plain copy.
QImage toQImage(const cv::Mat& rgb) {
  return QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).convertToFormat(QImage::Format_RGB32);
}

}  // namespace

ThumbnailCache::ThumbnailCache(std::filesystem::path collection_root, std::filesystem::path thumbs_dir, QObject* parent)
    : QObject(parent),
      root_(std::move(collection_root)),
      thumbs_dir_(std::move(thumbs_dir)),
      memory_(kMemoryBudgetBytes),
      // Leave a core for the GUI and the ingest; thumbnails are cheap once on disk.
      workers_(std::make_unique<BackgroundWorkers>(std::max(1, QThread::idealThreadCount() / 2))) {
  retry_.setSingleShot(true);
  retry_.setInterval(2);
  connect(&retry_, &QTimer::timeout, this, &ThumbnailCache::dispatch);
}

ThumbnailCache::~ThumbnailCache() {
  // Join the workers while this object is alive: their last deliveries are queued to it and
  // dropped with it.
  workers_.reset();
}

QImage ThumbnailCache::thumbnail(const ThumbnailKey& key, const void* client) {
  if (const QImage* image = memory_.object(key.relative_path)) return *image;
  if (failed_.contains(key.relative_path)) return {};
  if (in_flight_.contains(key.relative_path)) {
    // Already waiting (perhaps for another view): this view waits for it too.
    for (Request& r : stack_) {
      if (r.key.relative_path != key.relative_path) continue;
      if (std::find(r.clients.begin(), r.clients.end(), client) == r.clients.end()) r.clients.push_back(client);
      break;
    }
    return {};
  }
  in_flight_.insert(key.relative_path);
  stack_.push_back({key, {client}});
  dispatch();
  return {};
}

void ThumbnailCache::retainOnly(const void* client, const QSet<QString>& paths) {
  const auto gone = std::remove_if(stack_.begin(), stack_.end(), [&](Request& r) {
    if (paths.contains(r.key.relative_path)) return false;
    std::erase(r.clients, client);
    if (!r.clients.empty()) return false;
    in_flight_.remove(r.key.relative_path);
    return true;
  });
  stack_.erase(gone, stack_.end());
}

void ThumbnailCache::dispatch() {
  // One request per worker at a time: the rest wait here, where retainOnly can withdraw them.
  while (!stack_.empty() && handed_out_ < workers_->threadCount()) {
    const ThumbnailKey key = stack_.back().key;
    const bool posted = workers_->tryPost([this, key] {
      QImage image;
      try {
        image = produce(key);
      } catch (const std::exception&) {
        image = QImage();  // unreadable: the view shows the image's ingest failure instead
      }
      QMetaObject::invokeMethod(this, [this, path = key.relative_path, image]() { deliver(path, image); }, Qt::QueuedConnection);
    });
    if (!posted) {
      retry_.start();  // a worker holds the queue this instant; never wait for it here
      return;
    }
    stack_.pop_back();
    ++handed_out_;
  }
}

std::filesystem::path ThumbnailCache::diskFile(const ThumbnailKey& key) const {
  QCryptographicHash hash(QCryptographicHash::Sha1);
  hash.addData(key.relative_path.toUtf8());
  hash.addData(QByteArray::number(qlonglong(key.file_size)) + '/' + QByteArray::number(qlonglong(key.mtime_ns)) + '/' +
               QByteArray::number(kBoxWidth) + 'x' + QByteArray::number(kBoxHeight));
  const std::string hex = hash.result().toHex().toStdString();
  return thumbs_dir_ / hex.substr(0, 2) / (hex + ".jpg");
}

QImage ThumbnailCache::produce(const ThumbnailKey& key) {
  const std::filesystem::path cached = thumbs_dir_.empty() ? std::filesystem::path() : diskFile(key);
  if (!cached.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(cached, ec)) {
      cv::Mat bgr = cv::imread(cached.string(), cv::IMREAD_COLOR);
      if (!bgr.empty()) {
        ++from_disk_;
        cv::Mat rgb;
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
        return toQImage(rgb);
      }
    }
  }
  ++decoded_;
  // Large JPEGs decode directly at 1/2 … 1/8 of their size; EXIF orientation is applied.
  DecodeOptions options;
  options.max_pixels = int64_t(kBoxWidth) * kBoxHeight * 16;
  options.downscale_large = true;
  const Image decoded = decodeImageFile(root_ / std::filesystem::path(key.relative_path.toStdString()), options);
  const cv::Mat small = fitWithin(decoded.rgb, kBoxWidth, kBoxHeight);
  if (!cached.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(cached.parent_path(), ec);
    cv::Mat bgr;
    cv::cvtColor(small, bgr, cv::COLOR_RGB2BGR);
    // Written under a temporary name and renamed, so a reader never sees half a file.
    // (OpenCV picks the format from the extension, so the temporary name keeps ".jpg".)
    const std::filesystem::path temporary =
        cached.parent_path() / (cached.stem().string() + ".part" + std::to_string(uintptr_t(QThread::currentThreadId())) + ".jpg");
    if (!ec && cv::imwrite(temporary.string(), bgr, {cv::IMWRITE_JPEG_QUALITY, kJpegQuality})) {
      std::filesystem::rename(temporary, cached, ec);
    }
  }
  return toQImage(small);
}

void ThumbnailCache::deliver(const QString& path, const QImage& image) {
  --handed_out_;
  in_flight_.remove(path);
  if (image.isNull()) {
    failed_.insert(path);
  } else {
    memory_.insert(path, new QImage(image), int(image.sizeInBytes()));
  }
  emit thumbnailReady(path);
  dispatch();
}

}  // namespace regionlab::ui
