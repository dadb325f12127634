#pragma once
// Paints one result: the image's thumbnail with the matched region outlined, rank, score and
// the user's verdict.
#include <QStyledItemDelegate>

namespace regionlab::ui {

class ResultsDelegate : public QStyledItemDelegate {
  Q_OBJECT

public:
  explicit ResultsDelegate(QObject* parent = nullptr);
  QSize cellSize() const { return cell_; }
  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
  QSize cell_;
};

}  // namespace regionlab::ui
