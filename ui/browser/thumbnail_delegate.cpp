#include "ui/browser/thumbnail_delegate.h"

#include <cmath>

#include <QPainter>
#include <QPainterPath>

#include "core/storage/records.h"
#include "ui/browser/collection_model.h"
#include "ui/browser/thumbnail_cache.h"

namespace regionlab::ui {

namespace {
constexpr int kCellMargin = 3;   // between cells
constexpr int kImageMargin = 4;  // around the image inside a cell
constexpr int kTextHeight = 24;
}  // namespace

QSize thumbnailCellSize() {
  return {ThumbnailCache::kBoxWidth + 2 * (kCellMargin + kImageMargin),
          ThumbnailCache::kBoxHeight + 2 * (kCellMargin + kImageMargin) + kTextHeight};
}

QRect thumbnailImageArea(const QRect& cell_rect) {
  return {cell_rect.x() + kCellMargin + kImageMargin, cell_rect.y() + kCellMargin + kImageMargin, ThumbnailCache::kBoxWidth,
          ThumbnailCache::kBoxHeight};
}

QRect drawFitted(QPainter* painter, const QImage& image, const QRect& area) {
  if (image.isNull()) return {};
  const bool fits = image.width() <= area.width() && image.height() <= area.height();
  const QSize size = fits ? image.size() : image.size().scaled(area.size(), Qt::KeepAspectRatio);
  const QRect target(area.x() + (area.width() - size.width()) / 2, area.y() + (area.height() - size.height()) / 2, size.width(),
                     size.height());
  if (fits) {
    painter->drawImage(target.topLeft(), image);
  } else {
    painter->setRenderHint(QPainter::SmoothPixmapTransform, true);
    painter->drawImage(target, image);
  }
  return target;
}

ThumbnailDelegate::ThumbnailDelegate(QObject* parent) : QStyledItemDelegate(parent), cell_(thumbnailCellSize()) {}

QSize ThumbnailDelegate::sizeHint(const QStyleOptionViewItem&, const QModelIndex&) const { return cell_; }

void ThumbnailDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  painter->save();
  const QRect cell = option.rect.adjusted(kCellMargin, kCellMargin, -kCellMargin, -kCellMargin);
  const bool selected = option.state & QStyle::State_Selected;
  painter->fillRect(cell, selected ? option.palette.highlight() : option.palette.base());
  const QRect image_area = thumbnailImageArea(option.rect);

  const auto status = ImageStatus(index.data(CollectionModel::StatusRole).toInt());
  const QImage thumb = index.data(CollectionModel::ThumbnailRole).value<QImage>();
  if (!thumb.isNull()) {
    drawFitted(painter, thumb, image_area);
  } else {
    painter->fillRect(image_area, QColor(90, 90, 90, 60));
    painter->setPen(option.palette.color(QPalette::PlaceholderText));
    const bool unreadable = index.data(CollectionModel::ThumbnailFailedRole).toBool();
    painter->drawText(image_area, Qt::AlignCenter, unreadable ? tr("unreadable") : tr("…"));
  }

  // Status: failed images get a red mark, pending ones a grey one; done images none.
  if (status != ImageStatus::Done) {
    const QRect badge(image_area.right() - 16, image_area.top() + 2, 14, 14);
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setPen(Qt::NoPen);
    painter->setBrush(status == ImageStatus::Failed ? QColor(220, 40, 40) : QColor(150, 150, 150, 200));
    painter->drawEllipse(badge);
    painter->setPen(Qt::white);
    painter->drawText(badge, Qt::AlignCenter, status == ImageStatus::Failed ? QStringLiteral("!") : QStringLiteral("·"));
  }

  // The current query's score.
  const float score = index.data(CollectionModel::ScoreRole).toFloat();
  if (!std::isnan(score)) {
    const QString text = QString::number(double(score), 'f', 3);
    const QRect chip(image_area.left() + 2, image_area.top() + 2, painter->fontMetrics().horizontalAdvance(text) + 8, 16);
    painter->fillRect(chip, QColor(0, 0, 0, 170));
    painter->setPen(Qt::white);
    painter->drawText(chip, Qt::AlignCenter, text);
  }

  // One dot per labeled class.
  const auto classes = index.data(CollectionModel::ClassesRole).value<QList<qlonglong>>();
  if (!classes.isEmpty() && color_of_) {
    painter->setRenderHint(QPainter::Antialiasing, true);
    int x = image_area.left() + 3;
    for (const qlonglong id : classes) {
      painter->setPen(QColor(0, 0, 0, 160));
      painter->setBrush(color_of_(id));
      painter->drawEllipse(QRect(x, image_area.bottom() - 13, 11, 11));
      x += 13;
    }
  }

  const QRect text_area(cell.x() + 4, cell.bottom() - 21, cell.width() - 8, 18);
  painter->setPen(selected ? option.palette.color(QPalette::HighlightedText) : option.palette.color(QPalette::Text));
  painter->drawText(text_area, Qt::AlignCenter,
                    painter->fontMetrics().elidedText(index.data(Qt::DisplayRole).toString(), Qt::ElideMiddle, text_area.width()));
  painter->restore();
}

}  // namespace regionlab::ui
