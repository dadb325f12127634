#include "ui/results/results_panel.h"

#include <QAction>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/results/results_delegate.h"
#include "ui/results/results_model.h"

namespace regionlab::ui {

ResultsPanel::ResultsPanel(QWidget* parent)
    : QWidget(parent), model_(new ResultsModel(this)), delegate_(new ResultsDelegate(this)), view_(new QListView(this)) {
  setObjectName(QStringLiteral("resultsPanel"));
  header_ = new QLabel(tr("Click a region in the image to find similar objects."), this);
  header_->setObjectName(QStringLiteral("resultsHeader"));
  header_->setWordWrap(true);
  summary_ = new QLabel(this);
  summary_->setObjectName(QStringLiteral("resultsSummary"));
  classifier_ = new QLabel(this);
  classifier_->setObjectName(QStringLiteral("classifierStatus"));
  classifier_->setWordWrap(true);
  classifier_->hide();

  view_->setObjectName(QStringLiteral("resultsGrid"));
  view_->setViewMode(QListView::ListMode);
  view_->setFlow(QListView::LeftToRight);
  view_->setWrapping(true);
  view_->setResizeMode(QListView::Adjust);
  view_->setMovement(QListView::Static);
  view_->setUniformItemSizes(true);
  view_->setGridSize(delegate_->cellSize());
  view_->setItemDelegate(delegate_);
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
  view_->setModel(model_);

  buttons_ = new QWidget(this);
  auto* buttons = new QHBoxLayout(buttons_);
  buttons->setContentsMargins(0, 0, 0, 0);
  order_ = new QComboBox(this);
  order_->setObjectName(QStringLiteral("resultsOrder"));
  order_->addItem(tr("Best first"), int(RankingMode::Score));
  order_->addItem(tr("Uncertain first"), int(RankingMode::Uncertainty));
  order_->setToolTip(tr("Uncertain first: the results nearest the classifier's decision boundary, whose ✓/✗ teach it most (U)"));
  connect(order_, &QComboBox::currentIndexChanged, this, [this] { emit rankingModeChanged(rankingMode()); });

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(header_);
  layout->addWidget(buttons_);
  layout->addWidget(view_, 1);
  layout->addWidget(summary_);
  layout->addWidget(classifier_);

  connect(view_->selectionModel(), &QItemSelectionModel::currentChanged, this,
          [this](const QModelIndex& current) { emit currentResultChanged(current.isValid() ? current.row() : -1); });
  connect(model_, &QAbstractItemModel::dataChanged, this, &ResultsPanel::updateSummary);
  connect(model_, &QAbstractItemModel::modelReset, this, &ResultsPanel::updateSummary);
}

void ResultsPanel::setActions(QAction* accept, QAction* reject, QAction* find_more, QAction* heat_map) {
  auto* layout = static_cast<QHBoxLayout*>(buttons_->layout());
  for (QAction* action : {accept, reject, find_more, heat_map}) {
    if (!action) continue;
    auto* button = new QToolButton(buttons_);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    layout->addWidget(button);
  }
  layout->addStretch(1);
  layout->addWidget(order_);
}

void ResultsPanel::showSearching(const QString& what) {
  header_->setText(tr("Searching for %1…").arg(what));
}

void ResultsPanel::showResults(std::shared_ptr<const ResultSet> results) {
  model_->setResults(results);
  if (!results) {
    header_->setText(tr("No query."));
    return;
  }
  const QString what = results->query_region_id ? tr("region %1").arg(results->query_region_id) : tr("the drawn mask");
  header_->setText(tr("%1 of %2: %3 best of %4 images (%5, %6 search, %7 ms)")
                       .arg(what, QFileInfo(results->query_image).fileName())
                       .arg(results->items.size())
                       .arg(results->images_searched)
                       .arg(results->descriptor, results->method)
                       .arg(results->seconds * 1000.0, 0, 'f', 0));
  if (!results->items.empty()) selectRow(0);
}

void ResultsPanel::showError(const QString& reason) {
  header_->setText(tr("Query failed: %1").arg(reason));
}

void ResultsPanel::setClassifierStatus(const QString& text) {
  classifier_->setText(text);
  classifier_->setVisible(!text.isEmpty());
}

void ResultsPanel::updateSummary() {
  if (!model_->results()) {
    summary_->clear();
    return;
  }
  summary_->setText(tr("%1 accepted · %2 rejected · %3 to judge")
                        .arg(model_->count(1))
                        .arg(model_->count(-1))
                        .arg(model_->rowCount() - model_->count(1) - model_->count(-1)));
}

std::optional<ResultsModel::RankingChange> ResultsPanel::applyReranking(const Reranking& reranking) {
  const int row = currentRow();
  const int64_t selected = row >= 0 ? model_->item(row).image_id : 0;
  const auto change = model_->applyReranking(reranking);
  if (!change) return change;
  const int now = selected ? model_->rowOfImage(selected) : -1;
  if (now >= 0) {
    selectRow(now);
  } else if (model_->rowCount() > 0) {
    selectRow(0);
  }
  updateSummary();
  return change;
}

RankingMode ResultsPanel::rankingMode() const { return RankingMode(order_->currentData().toInt()); }

void ResultsPanel::setRankingMode(RankingMode mode) { order_->setCurrentIndex(order_->findData(int(mode))); }

int ResultsPanel::currentRow() const { return view_->currentIndex().isValid() ? view_->currentIndex().row() : -1; }

void ResultsPanel::selectRow(int row) {
  if (row < 0 || row >= model_->rowCount()) return;
  const QModelIndex index = model_->index(row);
  view_->setCurrentIndex(index);
  view_->scrollTo(index);
}

bool ResultsPanel::selectNextUnjudged() {
  const int rows = model_->rowCount();
  for (int row = currentRow() + 1; row < rows; ++row) {
    if (model_->verdict(row) == 0) {
      selectRow(row);
      return true;
    }
  }
  if (currentRow() + 1 < rows) {
    selectRow(currentRow() + 1);
    return true;
  }
  return false;
}

}  // namespace regionlab::ui
