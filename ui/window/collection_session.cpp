#include "ui/window/collection_session.h"

#include <QtConcurrent/QtConcurrentRun>

#include "ui/browser/thumbnail_cache.h"
#include "ui/ingest/ingest_runner.h"
#include "ui/labels/label_service.h"
#include "ui/query/query_service.h"

namespace regionlab::ui {

CollectionSession::CollectionSession(const std::filesystem::path& root, QObject* parent)
    : QObject(parent),
      paths_(root),
      thumbnails_(new ThumbnailCache(paths_.root, paths_.thumbs_dir, this)),
      model_(new CollectionModel(thumbnails_, this)),
      ingest_(new IngestRunner(this)),
      queries_(new QueryService(paths_.root, {}, this)),
      labels_(new LabelService(paths_.root, this)) {
  readers_.setMaxThreadCount(2);
}

CollectionSession::~CollectionSession() {
  // Stop the producers before the consumers: ingest first (it may take a moment to finish the
  // images in flight), then the services, whose destructors wait for their queued work.
  delete ingest_;
  delete queries_;
  delete labels_;
  readers_.waitForDone();
  delete model_;
  delete thumbnails_;
}

QString CollectionSession::displayName() const { return QString::fromStdString(paths_.root.filename().string()); }

QFuture<Outcome<std::vector<CollectionEntry>>> CollectionSession::listImages() {
  return QtConcurrent::run(&readers_, [root = paths_.root] { return guarded([&] { return listCollection(root); }); });
}

QFuture<Outcome<std::shared_ptr<const ImageDocument>>> CollectionSession::loadDocument(const QString& relative_path) {
  return QtConcurrent::run(&readers_, [paths = paths_, relative_path, generator = active_generator_id_] {
    return guarded([&] { return loadImageDocument(paths, relative_path, generator); });
  });
}

}  // namespace regionlab::ui
