#pragma once
// The labels of the open collection for the GUI: classes, the user's labels on regions and
// ✓/✗ feedback, read and written by a LabelStore on a serial executor (never on the GUI thread).
// Every edit is saved at once; the signals say what changed so views reload just that.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <unordered_map>
#include <vector>

#include <QColor>
#include <QObject>

#include "core/storage/label_store.h"
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
  bool busy() const { return pending_ > 0; }

signals:
  void classesChanged(const std::vector<regionlab::ClassRecord>& classes);
  void imageLabelsLoaded(qint64 image_id, const std::vector<regionlab::LabelRecord>& labels);
  void classesByImageLoaded(const std::unordered_map<int64_t, std::vector<int64_t>>& classes_by_image);
  void labelsChanged(const std::vector<int64_t>& image_ids, bool regions_changed);
  void editFailed(const QString& reason);
  // ✓/✗ feedback changed (the classifier retrains on this when it is present).
  void feedbackChanged();
  // Every queued read and edit has finished.
  void idle();

private:
  // The database connection, opened on the executor's thread at first use.
  struct Store {
    explicit Store(std::filesystem::path r);
    ~Store();
    Database& database();
    LabelStore& labels();
    std::filesystem::path root;
    std::unique_ptr<Database> db;
    std::unique_ptr<LabelStore> store;
  };
  void finishEdit(const Outcome<LabelChange>& outcome);
  void finishRead();

  std::shared_ptr<Store> store_;
  SerialExecutor executor_;
  std::vector<ClassRecord> classes_;
  int pending_ = 0;
};

}  // namespace regionlab::ui
