#pragma once
// Paints one cell of the thumbnail grid: the thumbnail (or a placeholder saying why there is
// none yet), the file name, the ingest status, the current score and the labeled classes.
#include <functional>

#include <QColor>
#include <QStyledItemDelegate>

namespace regionlab::ui {

class ThumbnailDelegate : public QStyledItemDelegate {
  Q_OBJECT

public:
  explicit ThumbnailDelegate(QObject* parent = nullptr);
  // Colour of a class id (the labels' colours), for the class marks.
  void setClassColors(std::function<QColor(qint64)> color_of) { color_of_ = std::move(color_of); }
  QSize cellSize() const { return cell_; }

  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
  QSize cell_;
  std::function<QColor(qint64)> color_of_;
};

// Draws `image` centred in `area`, pixel for pixel when it fits (thumbnails are made to fit),
// scaled down otherwise; returns where it went.
QRect drawFitted(QPainter* painter, const QImage& image, const QRect& area);
// A thumbnail cell: the image box plus margins and a line of text below.
QSize thumbnailCellSize();
QRect thumbnailImageArea(const QRect& cell_rect);

}  // namespace regionlab::ui
