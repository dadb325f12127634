#pragma once
// Everything that belongs to one open collection: its image list model and thumbnails, the
// ingest runner, the query service and the label service, and a pool for reading images and
// regions for the viewer. The main window holds one session at a time; closing it stops the
// ingest (finished images stay committed) and waits for work in flight.
#include <filesystem>
#include <memory>

#include <QFuture>
#include <QObject>
#include <QThreadPool>

#include "core/storage/collection_paths.h"
#include "ui/async/outcome.h"
#include "ui/browser/collection_model.h"
#include "ui/viewer/image_document.h"

namespace regionlab::ui {

class IngestRunner;
class LabelService;
class QueryService;
class ThumbnailCache;

class CollectionSession : public QObject {
  Q_OBJECT

public:
  explicit CollectionSession(const std::filesystem::path& root, QObject* parent = nullptr);
  ~CollectionSession() override;

  const CollectionPaths& paths() const { return paths_; }
  QString displayName() const;
  CollectionModel* model() const { return model_; }
  ThumbnailCache* thumbnails() const { return thumbnails_; }
  IngestRunner* ingest() const { return ingest_; }
  QueryService* queries() const { return queries_; }
  LabelService* labels() const { return labels_; }
  // The active region generator's models row, once the query engine has resolved it (0 before):
  // documents then hold exactly the regions a click can pick.
  void setActiveGeneratorId(int64_t id) { active_generator_id_ = id; }

  // The folder's image files and what the database knows of them.
  QFuture<Outcome<std::vector<CollectionEntry>>> listImages();
  // An image with its regions, for the viewer.
  QFuture<Outcome<std::shared_ptr<const ImageDocument>>> loadDocument(const QString& relative_path);

private:
  CollectionPaths paths_;
  QThreadPool readers_;
  ThumbnailCache* thumbnails_;
  CollectionModel* model_;
  IngestRunner* ingest_;
  QueryService* queries_;
  LabelService* labels_;
  int64_t active_generator_id_ = 0;
};

}  // namespace regionlab::ui
