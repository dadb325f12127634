#pragma once
// The images of the open collection as a list model: one row per image file, with its ingest
// status, the current query's score and its label classes. Thumbnails are fetched from the
// ThumbnailCache only when a view asks for ThumbnailRole, i.e. only for the rows it paints.
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

#include <QAbstractListModel>
#include <QHash>

#include "core/pipeline/ingest_job.h"
#include "core/storage/records.h"
#include "ui/browser/thumbnail_cache.h"

namespace regionlab::ui {

struct CollectionEntry {
  QString path;  // relative to the collection
  int64_t file_size = 0;
  int64_t mtime_ns = 0;
  int64_t image_id = 0;  // 0 until the image is in the database
  ImageStatus status = ImageStatus::Pending;
  QString error;
  int regions = -1;  // known once committed during this session
  float score = std::numeric_limits<float>::quiet_NaN();  // the current query's, NaN without one
  std::vector<int64_t> classes;                            // classes labeled on the image
};

class CollectionModel : public QAbstractListModel {
  Q_OBJECT

public:
  enum Role {
    PathRole = Qt::UserRole + 1,
    ImageIdRole,
    StatusRole,  // int(ImageStatus)
    ErrorRole,
    ScoreRole,   // float, NaN without a query
    ThumbnailRole,
    ThumbnailFailedRole,
    ClassesRole,  // QList<qlonglong>: classes labeled on the image
  };

  explicit CollectionModel(ThumbnailCache* thumbnails, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

  void setEntries(std::vector<CollectionEntry> entries);
  const CollectionEntry& entry(int row) const { return entries_[size_t(row)]; }
  int rowOfPath(const QString& path) const { return row_of_path_.value(path, -1); }
  int rowOfImage(int64_t image_id) const;

  // Ingest results as they are committed (rows appear for files the listing did not have).
  void applyImageEvents(const std::vector<ImageEvent>& events);
  void setScores(const std::unordered_map<int64_t, float>& score_by_image);
  void clearScores();
  void setClassesByImage(const std::unordered_map<int64_t, std::vector<int64_t>>& classes);

  ThumbnailCache* thumbnails() const { return thumbnails_; }
  // Withdraws queued thumbnail requests of rows other than these (views call it on scroll).
  void retainThumbnails(const std::vector<int>& visible_rows);

signals:
  // Statuses, scores or classes changed (filters and sorting that depend on them re-evaluate).
  void statusesChanged();
  void scoresChanged();
  void classesChanged();

private:
  void onThumbnailReady(const QString& path);

  ThumbnailCache* thumbnails_;
  std::vector<CollectionEntry> entries_;
  QHash<QString, int> row_of_path_;
  std::unordered_map<int64_t, int> row_of_image_;
};

// Reads the collection folder and what the database knows of it (off the GUI thread).
std::vector<CollectionEntry> listCollection(const std::filesystem::path& root);

}  // namespace regionlab::ui
