#pragma once
// The collection's classes as a list: colour swatch, number key and name. Renaming in place
// asks for the rename (renameRequested) instead of changing the list, so that every change goes
// through the undo stack and the database first.
#include <vector>

#include <QAbstractListModel>

#include "core/storage/label_store.h"

namespace regionlab::ui {

class ClassListModel : public QAbstractListModel {
  Q_OBJECT

public:
  enum Role { ClassIdRole = Qt::UserRole + 1 };

  explicit ClassListModel(QObject* parent = nullptr);
  void setClasses(const std::vector<ClassRecord>& classes);
  const std::vector<ClassRecord>& classes() const { return classes_; }
  int rowOfClass(int64_t class_id) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;

signals:
  void renameRequested(qint64 class_id, const QString& old_name, const QString& new_name);

private:
  std::vector<ClassRecord> classes_;
};

}  // namespace regionlab::ui
