#include "ui/labels/labels_panel.h"

#include <QAction>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/labels/class_list_model.h"

namespace regionlab::ui {
namespace {

QWidget* buttonRow(QWidget* parent, const QList<QAction*>& actions) {
  auto* row = new QWidget(parent);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  for (QAction* action : actions) {
    auto* button = new QToolButton(row);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    layout->addWidget(button);
  }
  layout->addStretch(1);
  return row;
}

void replaceWidget(QWidget*& slot, QWidget* replacement) {
  slot->parentWidget()->layout()->replaceWidget(slot, replacement);
  delete slot;
  slot = replacement;
}

}  // namespace

LabelsPanel::LabelsPanel(QWidget* parent)
    : QWidget(parent), classes_(new ClassListModel(this)), class_view_(new QListView(this)), labels_(new QListWidget(this)) {
  setObjectName(QStringLiteral("labelsPanel"));
  class_view_->setObjectName(QStringLiteral("classList"));
  class_view_->setModel(classes_);
  class_view_->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::DoubleClicked);
  class_view_->setSelectionMode(QAbstractItemView::SingleSelection);
  labels_->setObjectName(QStringLiteral("imageLabels"));
  labels_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  image_label_ = new QLabel(tr("No image"), this);
  class_buttons_ = new QWidget(this);
  label_buttons_ = new QWidget(this);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(new QLabel(tr("<b>Classes</b> (1–9 select, F2 renames)"), this));
  layout->addWidget(class_buttons_);
  layout->addWidget(class_view_, 1);
  layout->addWidget(image_label_);
  layout->addWidget(label_buttons_);
  layout->addWidget(labels_, 2);

  connect(classes_, &ClassListModel::renameRequested, this, &LabelsPanel::renameClassRequested);
  connect(class_view_->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] { emit currentClassChanged(currentClass()); });
  connect(labels_, &QListWidget::itemSelectionChanged, this, [this] {
    if (syncing_) return;
    std::set<int64_t> regions;
    for (QListWidgetItem* item : labels_->selectedItems()) regions.insert(item->data(Qt::UserRole).toLongLong());
    emit regionsSelected(regions);
  });
}

void LabelsPanel::setClassActions(const QList<QAction*>& actions) { replaceWidget(class_buttons_, buttonRow(this, actions)); }
void LabelsPanel::setLabelActions(const QList<QAction*>& actions) { replaceWidget(label_buttons_, buttonRow(this, actions)); }

void LabelsPanel::setClasses(const std::vector<ClassRecord>& classes) {
  const std::optional<int64_t> current = currentClass();
  classes_->setClasses(classes);
  if (current && classes_->rowOfClass(*current) >= 0) {
    setCurrentClass(*current);
  } else if (!classes.empty()) {
    selectClassAt(0);
  } else {
    emit currentClassChanged(std::nullopt);
  }
}

std::optional<int64_t> LabelsPanel::currentClass() const {
  const QModelIndex index = class_view_->currentIndex();
  if (!index.isValid()) return std::nullopt;
  return index.data(ClassListModel::ClassIdRole).toLongLong();
}

void LabelsPanel::setCurrentClass(int64_t class_id) { selectClassAt(classes_->rowOfClass(class_id)); }

void LabelsPanel::selectClassAt(int row) {
  if (row < 0 || row >= classes_->rowCount()) return;
  class_view_->setCurrentIndex(classes_->index(row));
}

void LabelsPanel::setImageLabels(const QString& image, const std::vector<LabelRecord>& labels, const std::vector<ClassRecord>& classes) {
  image_label_->setText(tr("<b>Labels of %1</b> (%2)").arg(QFileInfo(image).fileName()).arg(labels.size()));
  const QSignalBlocker block(labels_);
  labels_->clear();
  for (const LabelRecord& label : labels) {
    QString name = tr("class %1").arg(label.class_id);
    QColor color(Qt::gray);
    for (const ClassRecord& c : classes) {
      if (c.id != label.class_id) continue;
      name = QString::fromStdString(c.name);
      color = QColor(QString::fromStdString(c.color));
    }
    const QString source = label.source == LabelSource::User ? tr("user") : tr("auto %1").arg(label.confidence, 0, 'f', 2);
    auto* item = new QListWidgetItem(tr("%1 — region %2 (%3)").arg(name).arg(label.region_id).arg(source), labels_);
    QPixmap swatch(12, 12);
    swatch.fill(color);
    item->setIcon(swatch);
    item->setData(Qt::UserRole, qlonglong(label.region_id));
  }
}

void LabelsPanel::clearImageLabels() {
  image_label_->setText(tr("No image"));
  labels_->clear();
}

void LabelsPanel::setSelectedRegions(const std::set<int64_t>& regions) {
  syncing_ = true;
  for (int row = 0; row < labels_->count(); ++row) {
    QListWidgetItem* item = labels_->item(row);
    item->setSelected(regions.contains(item->data(Qt::UserRole).toLongLong()));
  }
  syncing_ = false;
}

}  // namespace regionlab::ui
