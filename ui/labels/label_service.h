#pragma once
// The labels of the open collection for the GUI: classes, the user's labels on regions and
// ✓/✗ feedback, read and written by a LabelStore and learning's ConceptSession on one serial
// executor (never on the GUI thread), so that every edit and its undo apply in order. Every edit
// is saved at once; the signals say what changed so views reload just that.
//
// ✓/✗ on a query's results go to that query's concept (ConceptSession): created (stored) at the
// first verdict, reopened when an undo reaches back to an earlier query; each verdict retrains
// the concept's classifier in the background (classifierTrained follows). The concept's vectors
// are read from the database when the concept is created (the query engine's set lives on the
// query service's thread and grows there).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <QColor>
#include <QObject>
#include <QPointer>

#include "core/learning/concept_session.h"
#include "core/storage/label_store.h"
#include "ui/query/result_set.h"
#include "ui/async/serial_executor.h"

namespace regionlab {
class Database;
}

namespace regionlab::ui {

// What an edit touched.
struct LabelChange {
  bool classes = false;             // the class list
  bool regions = false;             // regions were added or removed (viewers reload the image)
  std::vector<int64_t> images;      // images whose labels changed
  bool feedback = false;            // ✓/✗ feedback was recorded or withdrawn
};

// A page of the concept's ranking ("find more", or the results re-ranked by the classifier).
struct ConceptPage {
  int sequence = 0;  // of the ResultSet the concept belongs to
  std::vector<ResultItem> items;
  QString ranker;
  int classifier_version = 0;
  size_t offset = 0, total = 0;
};

class LabelService : public QObject {
  Q_OBJECT

public:
  explicit LabelService(std::filesystem::path collection_root, QObject* parent = nullptr);
  ~LabelService() override;

  // The class list as last loaded (GUI thread).
  const std::vector<ClassRecord>& classes() const { return classes_; }
  const ClassRecord* findClass(int64_t class_id) const;
  QColor colorOf(int64_t class_id) const;
  // A colour for the next new class, distinct from the existing ones.
  QColor nextClassColor() const;

  void reloadClasses();
  void loadImageLabels(int64_t image_id);
  void loadClassesByImage();

  // Runs fn(LabelStore&, Database&) -> LabelChange on the database thread, then announces the
  // change (or editFailed). Edits run in the order given.
  template <typename Fn>
  void edit(Fn fn) {
    ++pending_;
    auto store = store_;
    executor_.run([store, fn = std::move(fn)]() mutable { return fn(store->labels(), store->database()); })
        .then(this, [this](const Outcome<LabelChange>& outcome) { finishEdit(outcome); });
  }
  // Runs fn(ConceptSession&, LabelStore&) -> LabelChange on the database thread with the
  // concept of `seed` (created or reopened as needed), then retrains its classifier in the
  // background. Edits and concept edits run in one order.
  template <typename Fn>
  void editConcept(std::shared_ptr<QuerySeed> seed, int sequence, Fn fn) {
    ++pending_;
    ++training_;
    auto store = store_;
    QPointer<LabelService> self(this);
    executor_
        .run([store, seed, sequence, self, fn = std::function<LabelChange(ConceptSession&, LabelStore&)>(std::move(fn))] {
          return runConceptEdit(*store, *seed, sequence, self, fn);
        })
        .then(this, [this](const Outcome<LabelChange>& outcome) { finishEdit(outcome); });
  }
  // A page of the concept's ranking (the query's own ranking until a classifier is trained).
  // Images holding a judged region are left out. conceptPageReady or editFailed follow.
  void requestConceptPage(std::shared_ptr<QuerySeed> seed, int sequence, size_t offset, size_t count);
  // Runs fn(const ConceptSession&, Database&) -> T on the database thread with the concept of
  // `seed` once its training has finished, then done(const Outcome<T>&) on the GUI thread. For
  // readers of the concept that live elsewhere (the results re-ranking, ui/results).
  template <typename Fn, typename Done>
  void readConcept(std::shared_ptr<QuerySeed> seed, Fn fn, Done done) {
    using Result = std::invoke_result_t<Fn&, const ConceptSession&, Database&>;
    ++pending_;
    auto store = store_;
    executor_
        .run([store, seed, fn = std::move(fn)]() mutable {
          ConceptSession& session = store->conceptOf(*seed);
          session.waitForTraining();
          return fn(static_cast<const ConceptSession&>(session), store->database());
        })
        .then(this, [this, done = std::move(done)](const Outcome<Result>& outcome) {
          done(outcome);
          finishRead();
        });
  }
  // Label edits, reloads or trainings are under way.
  bool busy() const { return pending_ > 0 || training_ > 0; }

signals:
  void classesChanged(const std::vector<regionlab::ClassRecord>& classes);
  void imageLabelsLoaded(qint64 image_id, const std::vector<regionlab::LabelRecord>& labels);
  void classesByImageLoaded(const std::unordered_map<int64_t, std::vector<int64_t>>& classes_by_image);
  void labelsChanged(const std::vector<int64_t>& image_ids, bool regions_changed);
  void editFailed(const QString& reason);
  // ✓/✗ feedback changed (the classifier retrains on this when it is present).
  void feedbackChanged();
  // The concept of the results `sequence` retrained its classifier on the latest ✓/✗ (report.version
  // is 0 when the training was superseded by a newer one, or failed: report.error).
  void classifierTrained(int sequence, const regionlab::TrainingReport& report);
  void conceptPageReady(const regionlab::ui::ConceptPage& page);
  // Every queued read and edit has finished.
  void idle();

private:
  // The database connection, opened on the executor's thread at first use, and the concept of
  // the latest judged query (both used on that thread only).
  struct Store {
    explicit Store(std::filesystem::path r);
    ~Store();
    Database& database();
    LabelStore& labels();
    ConceptSession& conceptOf(QuerySeed& seed);
    void closeConcept();
    std::filesystem::path root;
    std::unique_ptr<Database> db;
    std::unique_ptr<LabelStore> store;
    std::unique_ptr<RegionVectorSet> vectors;
    std::unique_ptr<ConceptSession> session;  // declared last: destroyed (training joined) first
  };
  using ConceptEdit = std::function<LabelChange(ConceptSession&, LabelStore&)>;
  static LabelChange runConceptEdit(Store& store, QuerySeed& seed, int sequence, QPointer<LabelService> self, const ConceptEdit& fn);
  // Starts a background training whose end is announced on the GUI thread (executor thread).
  static void retrain(ConceptSession& session, int sequence, QPointer<LabelService> self);
  void finishTraining(int sequence, const TrainingReport& report);
  void finishEdit(const Outcome<LabelChange>& outcome);
  void finishRead();

  std::shared_ptr<Store> store_;
  SerialExecutor executor_;
  std::vector<ClassRecord> classes_;
  int pending_ = 0;
  int training_ = 0;  // background trainings requested and not yet announced
};

}  // namespace regionlab::ui
