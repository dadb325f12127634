#pragma once
// The labels panel: the classes (add, rename in place, colour; the selected one is the current
// class that accepting, assigning and painting use) and the labels of the image in the viewer
// (selecting them selects their regions; relabel, delete and merge act on that selection).
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include <QWidget>

#include "core/storage/label_store.h"

class QAction;
class QListView;
class QListWidget;
class QLabel;

namespace regionlab::ui {

class ClassListModel;

class LabelsPanel : public QWidget {
  Q_OBJECT

public:
  explicit LabelsPanel(QWidget* parent = nullptr);

  ClassListModel* classModel() const { return classes_; }
  QListView* classView() const { return class_view_; }
  QListWidget* labelList() const { return labels_; }
  void setClassActions(const QList<QAction*>& actions);
  void setLabelActions(const QList<QAction*>& actions);

  void setClasses(const std::vector<ClassRecord>& classes);
  std::optional<int64_t> currentClass() const;
  void setCurrentClass(int64_t class_id);
  void selectClassAt(int row);

  // The labels of the image in the viewer; region_area gives the areas known to the viewer.
  void setImageLabels(const QString& image, const std::vector<LabelRecord>& labels, const std::vector<ClassRecord>& classes);
  void clearImageLabels();
  void setSelectedRegions(const std::set<int64_t>& regions);

signals:
  void currentClassChanged(std::optional<int64_t> class_id);
  void renameClassRequested(qint64 class_id, const QString& old_name, const QString& new_name);
  void regionsSelected(const std::set<int64_t>& regions);

private:
  ClassListModel* classes_;
  QListView* class_view_;
  QListWidget* labels_;
  QLabel* image_label_;
  QWidget* class_buttons_;
  QWidget* label_buttons_;
  bool syncing_ = false;
};

}  // namespace regionlab::ui
