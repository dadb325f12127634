#include "ui/browser/collection_browser.h"

#include <set>

#include <QComboBox>
#include <QAbstractItemView>
#include <QGridLayout>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QScrollBar>
#include <QVBoxLayout>

#include "ui/browser/collection_filter_model.h"
#include "ui/browser/collection_model.h"
#include "ui/browser/thumbnail_delegate.h"

namespace regionlab::ui {

CollectionBrowser::CollectionBrowser(QWidget* parent)
    : QWidget(parent), filter_(new CollectionFilterModel(this)), delegate_(new ThumbnailDelegate(this)), view_(new QListView(this)) {
  setObjectName(QStringLiteral("collectionBrowser"));
  status_box_ = new QComboBox(this);
  status_box_->setObjectName(QStringLiteral("statusFilter"));
  status_box_->addItem(tr("All statuses"));
  status_box_->addItem(tr("Pending"), int(ImageStatus::Pending));
  status_box_->addItem(tr("Done"), int(ImageStatus::Done));
  status_box_->addItem(tr("Failed"), int(ImageStatus::Failed));
  class_box_ = new QComboBox(this);
  class_box_->setObjectName(QStringLiteral("classFilter"));
  class_box_->addItem(tr("All classes"));
  labeled_box_ = new QComboBox(this);
  labeled_box_->setObjectName(QStringLiteral("labeledFilter"));
  labeled_box_->addItems({tr("Labeled or not"), tr("Labeled"), tr("Unlabeled")});
  sort_box_ = new QComboBox(this);
  sort_box_->setObjectName(QStringLiteral("sortKey"));
  sort_box_->addItems({tr("By name"), tr("By score")});
  count_label_ = new QLabel(this);

  // Two filters per row, each half the dock: in one row at the default dock width (a quarter
  // of the window) every combo box was cut to a few letters.
  auto* bar = new QGridLayout;
  bar->setContentsMargins(0, 0, 0, 0);
  bar->setHorizontalSpacing(4);
  bar->setVerticalSpacing(2);
  bar->addWidget(status_box_, 0, 0);
  bar->addWidget(class_box_, 0, 1);
  bar->addWidget(labeled_box_, 1, 0);
  bar->addWidget(sort_box_, 1, 1);
  for (QComboBox* box : {status_box_, class_box_, labeled_box_, sort_box_}) {
    // Narrow docks squeeze the filters instead of being held wide by them; the popup lists
    // the full names.
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(6);
    box->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    box->view()->setMinimumWidth(box->view()->sizeHintForColumn(0) + 24);
  }
  bar->setColumnStretch(0, 1);
  bar->setColumnStretch(1, 1);
  count_label_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  bar->addWidget(count_label_, 2, 0, 1, 2);

  view_->setObjectName(QStringLiteral("thumbnailGrid"));
  view_->setViewMode(QListView::ListMode);
  view_->setFlow(QListView::LeftToRight);
  view_->setWrapping(true);
  view_->setResizeMode(QListView::Adjust);
  view_->setMovement(QListView::Static);
  view_->setUniformItemSizes(true);  // no size query per row: layout of 20,000 rows is O(1) each
  view_->setGridSize(delegate_->cellSize());
  view_->setItemDelegate(delegate_);
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
  view_->verticalScrollBar()->setSingleStep(delegate_->cellSize().height() / 3);
  view_->setModel(filter_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(bar);
  layout->addWidget(view_, 1);

  const auto apply = [this] { applyFilters(); };
  connect(status_box_, &QComboBox::currentIndexChanged, this, apply);
  connect(class_box_, &QComboBox::currentIndexChanged, this, apply);
  connect(labeled_box_, &QComboBox::currentIndexChanged, this, apply);
  connect(sort_box_, &QComboBox::currentIndexChanged, this, apply);
  connect(view_, &QListView::activated, this, [this](const QModelIndex& index) {
    emit imageActivated(index.data(CollectionModel::PathRole).toString());
  });
  connect(view_->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& current) {
    emit currentImageChanged(current.data(CollectionModel::PathRole).toString());
  });
  connect(filter_, &QAbstractItemModel::modelReset, this, &CollectionBrowser::updateCount);
  connect(filter_, &QAbstractItemModel::layoutChanged, this, &CollectionBrowser::updateCount);
  connect(filter_, &QAbstractItemModel::rowsInserted, this, &CollectionBrowser::updateCount);
  connect(filter_, &QAbstractItemModel::rowsRemoved, this, &CollectionBrowser::updateCount);

  // Withdraw the thumbnails of cells that scrolled away, shortly after scrolling.
  retain_timer_.setSingleShot(true);
  retain_timer_.setInterval(30);
  connect(&retain_timer_, &QTimer::timeout, this, &CollectionBrowser::retainVisibleThumbnails);
  connect(view_->verticalScrollBar(), &QScrollBar::valueChanged, this, [this] { retain_timer_.start(); });
  connect(filter_, &QAbstractItemModel::layoutChanged, this, [this] { retain_timer_.start(); });
}

void CollectionBrowser::setModel(CollectionModel* model) {
  model_ = model;
  filter_->setCollectionModel(model);
  updateCount();
}

void CollectionBrowser::setClasses(const std::vector<ClassRecord>& classes) {
  const QVariant current = class_box_->currentData();
  const QSignalBlocker block(class_box_);
  class_box_->clear();
  class_box_->addItem(tr("All classes"));
  for (const ClassRecord& c : classes) {
    QPixmap swatch(12, 12);
    swatch.fill(QColor(QString::fromStdString(c.color)));
    class_box_->addItem(QIcon(swatch), QString::fromStdString(c.name), qlonglong(c.id));
  }
  const int index = current.isValid() ? class_box_->findData(current) : 0;
  class_box_->setCurrentIndex(std::max(0, index));
  if (index < 0) applyFilters();  // the filtered class is gone
}

void CollectionBrowser::setSortByScore(bool by_score) { sort_box_->setCurrentIndex(by_score ? 1 : 0); }

void CollectionBrowser::applyFilters() {
  const QVariant status = status_box_->currentData();
  filter_->setStatusFilter(status.isValid() ? std::optional<ImageStatus>(ImageStatus(status.toInt())) : std::nullopt);
  const QVariant cls = class_box_->currentData();
  filter_->setClassFilter(cls.isValid() ? std::optional<int64_t>(cls.toLongLong()) : std::nullopt);
  filter_->setLabelFilter(CollectionFilterModel::LabelFilter(labeled_box_->currentIndex()));
  filter_->setSortKey(sort_box_->currentIndex() == 1 ? CollectionFilterModel::SortKey::Score : CollectionFilterModel::SortKey::Name);
  updateCount();
}

void CollectionBrowser::updateCount() {
  const int total = model_ ? model_->rowCount() : 0;
  const int shown = filter_->rowCount();
  const QLocale locale;
  count_label_->setText(shown == total ? tr("%1 images").arg(locale.toString(total))
                                       : tr("%1 of %2 images").arg(locale.toString(shown), locale.toString(total)));
}

std::vector<int> CollectionBrowser::visibleRows() const {
  // Sample the viewport at half-cell spacing: every visible cell contains a sample point.
  std::set<int> rows;
  const QSize cell = view_->gridSize();
  const QRect area = view_->viewport()->rect();
  const int dx = std::max(8, cell.width() / 2), dy = std::max(8, cell.height() / 2);
  std::vector<int> ys, xs;
  for (int y = area.top() + 1; y < area.bottom(); y += dy) ys.push_back(y);
  ys.push_back(area.bottom() - 1);
  for (int x = area.left() + 1; x < area.right(); x += dx) xs.push_back(x);
  xs.push_back(area.right() - 1);
  for (const int y : ys) {
    for (const int x : xs) {
      const QModelIndex index = view_->indexAt(QPoint(x, y));
      if (index.isValid()) rows.insert(filter_->mapToSource(index).row());
    }
  }
  return {rows.begin(), rows.end()};
}

void CollectionBrowser::retainVisibleThumbnails() {
  if (model_) model_->retainThumbnails(visibleRows());
}

void CollectionBrowser::selectPath(const QString& path) {
  if (!model_) return;
  const int row = model_->rowOfPath(path);
  if (row < 0) return;
  const QModelIndex index = filter_->mapFromSource(model_->index(row));
  if (!index.isValid()) return;
  view_->setCurrentIndex(index);
  view_->scrollTo(index);
}

QString CollectionBrowser::currentPath() const { return view_->currentIndex().data(CollectionModel::PathRole).toString(); }

}  // namespace regionlab::ui
