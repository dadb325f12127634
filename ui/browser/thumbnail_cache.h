#pragma once
// Thumbnails of a collection's images, made off the GUI thread and kept twice: in memory (the
// most recently used) and on disk in .regionlab/thumbs/ (so reopening a 20,000-image collection
// decodes nothing). Views ask only for the items they paint. Requests wait on the GUI thread, the
// most recent first, and only as many as there are workers are handed out at a time, so a view
// that scrolled on can withdraw what it no longer shows (retainOnly) and fast scrolling never
// decodes images that went off screen.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

namespace regionlab::ui {

class BackgroundWorkers;

// Identifies a thumbnail: the image file and its size and time stamp (a changed file gets a new one).
struct ThumbnailKey {
  QString relative_path;
  int64_t file_size = 0;
  int64_t mtime_ns = 0;
};

class ThumbnailCache : public QObject {
  Q_OBJECT

public:
  // Thumbnails fit this box, the image area of the grid's and the results' cells, so views draw
  // them pixel for pixel: a scaled drawImage makes Qt's raster engine split the work over its
  // own threads and wait for them, which stalls the GUI thread whenever every core is busy.
  static constexpr int kBoxWidth = 148;
  static constexpr int kBoxHeight = 108;

  // thumbs_dir empty: memory only.
  ThumbnailCache(std::filesystem::path collection_root, std::filesystem::path thumbs_dir, QObject* parent = nullptr);
  ~ThumbnailCache() override;

  // The thumbnail when it is in memory; otherwise a null image, and the request is queued for
  // `client` (a view's model) unless already queued. thumbnailReady follows.
  QImage thumbnail(const ThumbnailKey& key, const void* client);
  // True when the image could not be read (its thumbnail will stay null).
  bool failed(const QString& relative_path) const { return failed_.contains(relative_path); }
  // Withdraws the client's queued requests for paths outside `paths`.
  void retainOnly(const void* client, const QSet<QString>& paths);

  // Counters for tests and the status line.
  int decodedFromImages() const { return decoded_.load(); }
  int readFromDisk() const { return from_disk_.load(); }
  int queued() const { return int(stack_.size()) + handed_out_; }
  bool idle() const { return queued() == 0; }

signals:
  void thumbnailReady(const QString& relative_path);

private:
  struct Request {
    ThumbnailKey key;
    std::vector<const void*> clients;  // the views waiting for it
  };
  void dispatch();
  QImage produce(const ThumbnailKey& key);
  std::filesystem::path diskFile(const ThumbnailKey& key) const;
  void deliver(const QString& path, const QImage& image);

  std::filesystem::path root_;
  std::filesystem::path thumbs_dir_;
  QCache<QString, QImage> memory_;
  QSet<QString> failed_;
  QSet<QString> in_flight_;     // waiting in stack_ or handed out
  std::vector<Request> stack_;  // waiting requests, newest last
  int handed_out_ = 0;          // requests the workers have
  QTimer retry_;                // hands out again when the workers' queue was busy
  std::unique_ptr<BackgroundWorkers> workers_;
  std::atomic<int> decoded_{0};
  std::atomic<int> from_disk_{0};
};

}  // namespace regionlab::ui
