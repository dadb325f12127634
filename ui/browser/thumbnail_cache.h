#pragma once
// Thumbnails of a collection's images, made off the GUI thread and kept twice: in memory (the
// most recently used) and on disk in .regionlab/thumbs/ (so reopening a 20,000-image collection
// decodes nothing). Views ask only for the items they paint; a request is queued and the most
// recent request is served first, and a view that scrolled on withdraws what it no longer shows
// (retainOnly), so fast scrolling never decodes images that went off screen.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <vector>

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThreadPool>

namespace regionlab::ui {

// Identifies a thumbnail: the image file and its size and time stamp (a changed file gets a new one).
struct ThumbnailKey {
  QString relative_path;
  int64_t file_size = 0;
  int64_t mtime_ns = 0;
};

class ThumbnailCache : public QObject {
  Q_OBJECT

public:
  static constexpr int kSide = 192;  // long side of a thumbnail, in pixels

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
  int queued() const;
  void waitForIdle();

signals:
  void thumbnailReady(const QString& relative_path);

private:
  struct Request {
    ThumbnailKey key;
    std::vector<const void*> clients;  // the views waiting for it
  };
  void serveOne();
  QImage produce(const ThumbnailKey& key);
  std::filesystem::path diskFile(const ThumbnailKey& key) const;
  void deliver(const QString& path, const QImage& image);

  std::filesystem::path root_;
  std::filesystem::path thumbs_dir_;
  QCache<QString, QImage> memory_;
  QSet<QString> failed_;
  QSet<QString> in_flight_;  // queued or being produced (GUI thread's view)
  mutable std::mutex mutex_;
  std::vector<Request> stack_;  // guarded; newest last
  QThreadPool pool_;
  std::atomic<int> decoded_{0};
  std::atomic<int> from_disk_{0};
};

}  // namespace regionlab::ui
