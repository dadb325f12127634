#include "ui/labels/label_service.h"

#include <array>

#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab::ui {

LabelService::Store::Store(std::filesystem::path r) : root(std::move(r)) {}
LabelService::Store::~Store() = default;

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

LabelService::~LabelService() { executor_.waitForDone(); }

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
  if (--pending_ == 0) emit idle();
}

}  // namespace regionlab::ui
