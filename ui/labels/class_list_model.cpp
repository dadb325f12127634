#include "ui/labels/class_list_model.h"

#include <QColor>
#include <QPixmap>

namespace regionlab::ui {

ClassListModel::ClassListModel(QObject* parent) : QAbstractListModel(parent) {}

void ClassListModel::setClasses(const std::vector<ClassRecord>& classes) {
  beginResetModel();
  classes_ = classes;
  endResetModel();
}

int ClassListModel::rowOfClass(int64_t class_id) const {
  for (size_t row = 0; row < classes_.size(); ++row) {
    if (classes_[row].id == class_id) return int(row);
  }
  return -1;
}

int ClassListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(classes_.size()); }

QVariant ClassListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const ClassRecord& c = classes_[size_t(index.row())];
  switch (role) {
    case Qt::DisplayRole:
      // The number key that selects it, for the first nine.
      return index.row() < 9 ? QStringLiteral("%1  %2").arg(index.row() + 1).arg(QString::fromStdString(c.name))
                             : QString::fromStdString(c.name);
    case Qt::EditRole: return QString::fromStdString(c.name);
    case Qt::DecorationRole: {
      QPixmap swatch(14, 14);
      swatch.fill(QColor(QString::fromStdString(c.color)));
      return swatch;
    }
    case ClassIdRole: return qlonglong(c.id);
    default: return {};
  }
}

bool ClassListModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (role != Qt::EditRole || !index.isValid()) return false;
  const ClassRecord& c = classes_[size_t(index.row())];
  const QString name = value.toString().trimmed();
  if (name.isEmpty() || name == QString::fromStdString(c.name)) return false;
  emit renameRequested(c.id, QString::fromStdString(c.name), name);
  return false;  // the list changes when the database has the new name
}

Qt::ItemFlags ClassListModel::flags(const QModelIndex& index) const {
  return QAbstractListModel::flags(index) | (index.isValid() ? Qt::ItemIsEditable : Qt::NoItemFlags);
}

}  // namespace regionlab::ui
