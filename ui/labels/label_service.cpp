#include "ui/labels/label_service.h"

#include <array>
#include <cmath>

#include <QCoreApplication>

#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "ui/query/result_items.h"

namespace regionlab::ui {

LabelService::Store::Store(std::filesystem::path r) : root(std::move(r)) {}
LabelService::Store::~Store() = default;

ConceptSession& LabelService::Store::conceptOf(QuerySeed& seed) {
  if (session && seed.query_id != 0 && session->queryId() == seed.query_id) return *session;
  closeConcept();
  // The concept ranks every region of the descriptor as it is now.
  Database& database = this->database();
  vectors = std::make_unique<RegionVectorSet>(int(seed.query.vector.size()));
  vectors->appendFromDatabase(database, seed.model_id);
  if (seed.query_id != 0) {
    session = ConceptSession::open(root, *vectors, seed.model_id, seed.query_id);
  } else {
    session = ConceptSession::start(root, *vectors, seed.model_id, seed.query);
    seed.query_id = session->queryId();
  }
  return *session;
}

void LabelService::Store::closeConcept() {
  session.reset();  // cancels and joins its training
  vectors.reset();
}

void LabelService::retrain(ConceptSession& session, int sequence, QPointer<LabelService> self) {
  // The callback runs on the training thread: it only posts the report to the GUI thread, where
  // `self` is checked (the service may be gone by then; its destructor joins the training).
  session.retrainInBackground([sequence, self](const TrainingReport& report) {
    QMetaObject::invokeMethod(
        qApp, [sequence, self, report] { if (self) self->finishTraining(sequence, report); }, Qt::QueuedConnection);
  });
}

LabelChange LabelService::runConceptEdit(Store& store, QuerySeed& seed, int sequence, QPointer<LabelService> self,
                                         const ConceptEdit& fn) {
  ConceptSession* session = nullptr;
  try {
    session = &store.conceptOf(seed);
  } catch (const std::exception& e) {
    // No training will follow: announce that, so the service is not left busy.
    TrainingReport report;
    report.error = e.what();
    QMetaObject::invokeMethod(
        qApp, [sequence, self, report] { if (self) self->finishTraining(sequence, report); }, Qt::QueuedConnection);
    throw;
  }
  LabelChange change;
  try {
    change = fn(*session, store.labels());
  } catch (...) {
    retrain(*session, sequence, self);
    throw;
  }
  retrain(*session, sequence, self);
  return change;
}

void LabelService::finishTraining(int sequence, const TrainingReport& report) {
  --training_;
  emit classifierTrained(sequence, report);
  if (pending_ == 0 && training_ == 0) emit idle();
}

void LabelService::requestConceptPage(std::shared_ptr<QuerySeed> seed, int sequence, size_t offset, size_t count) {
  ++pending_;
  auto store = store_;
  executor_
      .run([store, seed, sequence, offset, count] {
        ConceptSession& session = store->conceptOf(*seed);
        session.waitForTraining();  // the page uses the newest classifier
        RankRequest request;
        request.offset = offset;
        request.count = count;
        const RankedPage ranked = session.rank(request);
        ConceptPage page;
        page.sequence = sequence;
        page.ranker = QString::fromStdString(ranked.ranker);
        page.classifier_version = ranked.classifier_version;
        page.offset = offset;
        page.total = ranked.total;
        for (const RankedHit& hit : ranked.hits) {
          page.items.push_back(readResultItem(store->database(), hit.image_id, {}, hit.region_id, hit.score));
        }
        return page;
      })
      .then(this, [this](const Outcome<ConceptPage>& outcome) {
        if (outcome.ok()) emit conceptPageReady(*outcome.value); else emit editFailed(outcome.error);
        finishRead();
      });
}

Database& LabelService::Store::database() {
  if (!db) {
    const CollectionPaths paths(root);
    paths.createDataDirs();
    db = Database::open(paths.database);
    store = std::make_unique<LabelStore>(*db);
  }
  return *db;
}

LabelStore& LabelService::Store::labels() {
  database();
  return *store;
}

LabelService::LabelService(std::filesystem::path collection_root, QObject* parent)
    : QObject(parent), store_(std::make_shared<Store>(std::move(collection_root))) {}

LabelService::~LabelService() {
  // The concept is closed on its own thread, after the queued edits; its training is joined
  // there, and the report it posts finds `this` gone.
  auto store = store_;
  executor_.run([store] { store->closeConcept(); return true; });
  executor_.waitForDone();
}

const ClassRecord* LabelService::findClass(int64_t class_id) const {
  for (const ClassRecord& c : classes_) {
    if (c.id == class_id) return &c;
  }
  return nullptr;
}

QColor LabelService::colorOf(int64_t class_id) const {
  const ClassRecord* c = findClass(class_id);
  return c ? QColor(QString::fromStdString(c->color)) : QColor(Qt::gray);
}

QColor LabelService::nextClassColor() const {
  // Distinct, saturated colours first (as labelme and CVAT assign them), then hues by the golden ratio.
  static constexpr std::array<const char*, 10> kPalette = {"#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231",
                                                            "#911eb4", "#46f0f0", "#f032e6", "#bcf60c", "#fabebe"};
  for (const char* color : kPalette) {
    const bool used = std::any_of(classes_.begin(), classes_.end(), [&](const ClassRecord& c) { return c.color == color; });
    if (!used) return QColor(QString::fromLatin1(color));
  }
  return QColor::fromHsvF(float(std::fmod(double(classes_.size()) * 0.618033988749895, 1.0)), 0.8f, 0.95f);
}

void LabelService::reloadClasses() {
  ++pending_;
  auto store = store_;
  executor_.run([store] { return store->labels().readClasses(); }).then(this, [this](const Outcome<std::vector<ClassRecord>>& outcome) {
    if (outcome.ok()) {
      classes_ = *outcome.value;
      emit classesChanged(classes_);
    } else {
      emit editFailed(outcome.error);
    }
    finishRead();
  });
}

void LabelService::loadImageLabels(int64_t image_id) {
  ++pending_;
  auto store = store_;
  executor_.run([store, image_id] { return store->labels().readLabelsOfImage(image_id); })
      .then(this, [this, image_id](const Outcome<std::vector<LabelRecord>>& outcome) {
        if (outcome.ok()) emit imageLabelsLoaded(image_id, *outcome.value); else emit editFailed(outcome.error);
        finishRead();
      });
}

void LabelService::loadClassesByImage() {
  ++pending_;
  auto store = store_;
  using ByImage = std::unordered_map<int64_t, std::vector<int64_t>>;
  executor_.run([store] { return store->labels().readClassesByImage(); }).then(this, [this](const Outcome<ByImage>& outcome) {
    if (outcome.ok()) emit classesByImageLoaded(*outcome.value); else emit editFailed(outcome.error);
    finishRead();
  });
}

void LabelService::finishEdit(const Outcome<LabelChange>& outcome) {
  if (!outcome.ok()) {
    emit editFailed(outcome.error);
  } else {
    if (outcome.value->classes) reloadClasses();
    if (outcome.value->feedback) emit feedbackChanged();
    if (!outcome.value->images.empty() || outcome.value->regions) {
      emit labelsChanged(outcome.value->images, outcome.value->regions);
      loadClassesByImage();
    }
  }
  finishRead();
}

void LabelService::finishRead() {
  if (--pending_ == 0 && training_ == 0) emit idle();
}

}  // namespace regionlab::ui
