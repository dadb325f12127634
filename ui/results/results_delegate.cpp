#include "ui/results/results_delegate.h"

#include <QPainter>

#include "ui/browser/thumbnail_delegate.h"
#include "ui/results/results_model.h"

namespace regionlab::ui {

ResultsDelegate::ResultsDelegate(QObject* parent) : QStyledItemDelegate(parent), cell_(thumbnailCellSize()) {}

QSize ResultsDelegate::sizeHint(const QStyleOptionViewItem&, const QModelIndex&) const { return cell_; }

void ResultsDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  const auto* model = qobject_cast<const ResultsModel*>(index.model());
  if (!model || !model->results()) return;
  const ResultItem& item = model->item(index.row());
  painter->save();
  const QRect cell = option.rect.adjusted(3, 3, -3, -3);
  const bool selected = option.state & QStyle::State_Selected;
  const int verdict = index.data(ResultsModel::VerdictRole).toInt();
  painter->fillRect(cell, selected ? option.palette.highlight() : option.palette.base());
  const QRect image_area = thumbnailImageArea(option.rect);

  const QImage thumb = index.data(ResultsModel::ThumbnailRole).value<QImage>();
  QRect drawn;
  if (!thumb.isNull()) {
    drawn = drawFitted(painter, thumb, image_area);
  } else {
    // Until the thumbnail arrives, the outline is drawn in a box of the image's proportions.
    const QSize size = item.image_size.isEmpty() ? image_area.size() : item.image_size.scaled(image_area.size(), Qt::KeepAspectRatio);
    drawn = QRect(image_area.x() + (image_area.width() - size.width()) / 2, image_area.y() + (image_area.height() - size.height()) / 2,
                  size.width(), size.height());
    painter->fillRect(drawn, QColor(90, 90, 90, 60));
  }
  if (!item.image_size.isEmpty() && !item.outline.isEmpty()) {
    // The matched region, mapped from image pixels onto the thumbnail.
    QTransform to_thumb;
    to_thumb.translate(drawn.x(), drawn.y());
    to_thumb.scale(double(drawn.width()) / item.image_size.width(), double(drawn.height()) / item.image_size.height());
    const QPainterPath outline = to_thumb.map(item.outline);
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setBrush(QColor(40, 255, 90, 60));
    painter->setPen(QPen(QColor(0, 0, 0, 170), 3.5));
    painter->drawPath(outline);
    painter->setPen(QPen(QColor(40, 255, 90), 2.0));
    painter->drawPath(outline);
  }

  // Rank and score.
  const QString score = QStringLiteral("#%1  %2").arg(index.row() + 1).arg(double(item.score), 0, 'f', 3);
  const QRect chip(image_area.left() + 2, image_area.top() + 2, painter->fontMetrics().horizontalAdvance(score) + 8, 16);
  painter->fillRect(chip, QColor(0, 0, 0, 180));
  painter->setPen(Qt::white);
  painter->drawText(chip, Qt::AlignCenter, score);

  // How the last re-ranking moved it: ▲n up, ▼n down, or "new" when it joined the list.
  const int moved = index.data(ResultsModel::RankChangeRole).toInt();
  const bool fresh = index.data(ResultsModel::NewRole).toBool();
  if (moved != 0 || fresh) {
    const QString text = fresh ? tr("new") : moved > 0 ? QStringLiteral("▲%1").arg(moved) : QStringLiteral("▼%1").arg(-moved);
    const QColor color = fresh ? QColor(40, 110, 220) : moved > 0 ? QColor(30, 150, 60) : QColor(200, 110, 20);
    const QRect chip_area(image_area.left() + 2, image_area.bottom() - 17, painter->fontMetrics().horizontalAdvance(text) + 8, 16);
    painter->fillRect(chip_area, color);
    painter->setPen(Qt::white);
    painter->drawText(chip_area, Qt::AlignCenter, text);
  }

  if (verdict != 0) {
    const QColor color = verdict > 0 ? QColor(30, 170, 60) : QColor(210, 40, 40);
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setPen(QPen(color, 3));
    painter->setBrush(Qt::NoBrush);
    painter->drawRect(cell.adjusted(1, 1, -2, -2));
    const QRect badge(image_area.right() - 22, image_area.top() + 2, 20, 20);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawEllipse(badge);
    painter->setPen(QPen(Qt::white, 2.5));
    if (verdict > 0) {
      painter->drawPolyline(QPolygonF({QPointF(badge.left() + 5, badge.center().y()), QPointF(badge.left() + 9, badge.bottom() - 5),
                                       QPointF(badge.right() - 4, badge.top() + 5)}));
    } else {
      painter->drawLine(badge.topLeft() + QPoint(6, 6), badge.bottomRight() - QPoint(6, 6));
      painter->drawLine(badge.topRight() + QPoint(-6, 6), badge.bottomLeft() + QPoint(6, -6));
    }
  }

  const QRect text_area(cell.x() + 4, cell.bottom() - 21, cell.width() - 8, 18);
  painter->setPen(selected ? option.palette.color(QPalette::HighlightedText) : option.palette.color(QPalette::Text));
  painter->drawText(text_area, Qt::AlignCenter,
                    painter->fontMetrics().elidedText(index.data(Qt::DisplayRole).toString(), Qt::ElideMiddle, text_area.width()));
  painter->restore();
}

}  // namespace regionlab::ui
