#include "ui/jobs/jobs_panel.h"

#include <cmath>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace regionlab::ui {

QString formatDuration(double seconds) {
  const int64_t s = int64_t(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

JobRow::JobRow(const QString& title, QWidget* parent) : QWidget(parent) {
  title_ = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()), this);
  bar_ = new QProgressBar(this);
  bar_->setObjectName(QStringLiteral("jobProgress"));
  bar_->setTextVisible(true);
  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("jobStatus"));
  status_->setMinimumWidth(280);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName(QStringLiteral("jobCancel"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(title_);
  layout->addWidget(bar_, 1);
  layout->addWidget(status_);
  layout->addWidget(cancel_);
  connect(cancel_, &QPushButton::clicked, this, [this] {
    cancel_->setEnabled(false);
    status_->setText(tr("cancelling…"));
    emit cancelRequested();
  });
}

void JobRow::setProgress(int64_t done, int64_t total, double items_per_second, double eta_seconds, const QString& detail) {
  // QProgressBar counts in int: scale to permille for collections of any size.
  bar_->setRange(0, 1000);
  bar_->setValue(total > 0 ? int(1000 * done / total) : 0);
  bar_->setFormat(QStringLiteral("%1 / %2").arg(done).arg(total));
  QString text = tr("%1 images/s").arg(items_per_second, 0, 'f', items_per_second < 10 ? 1 : 0);
  text += eta_seconds >= 0 ? tr(" · %1 left").arg(formatDuration(eta_seconds)) : tr(" · estimating time left");
  if (!detail.isEmpty()) text += QStringLiteral(" · ") + detail;
  status_->setText(text);
}

void JobRow::setBusy(const QString& text) {
  bar_->setRange(0, 0);
  status_->setText(text);
}

void JobRow::finish(const QString& text) {
  finished_ = true;
  if (bar_->maximum() == 0) bar_->setRange(0, 1000);
  bar_->setValue(bar_->maximum());
  status_->setText(text);
  cancel_->setEnabled(false);
  cancel_->hide();
}

JobsPanel::JobsPanel(QWidget* parent) : QWidget(parent), rows_(new QWidget(this)), failures_(new QTreeWidget(this)) {
  setObjectName(QStringLiteral("jobsPanel"));
  auto* rows_layout = new QVBoxLayout(rows_);
  rows_layout->setContentsMargins(0, 0, 0, 0);
  failures_title_ = new QLabel(tr("No failed images."), this);
  failures_->setObjectName(QStringLiteral("jobFailures"));
  failures_->setColumnCount(3);
  failures_->setHeaderLabels({tr("Image"), tr("Reason"), tr("Job")});
  failures_->setRootIsDecorated(false);
  failures_->setUniformRowHeights(true);
  failures_->header()->setStretchLastSection(false);
  failures_->header()->setSectionResizeMode(1, QHeaderView::Stretch);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(rows_);
  layout->addWidget(failures_title_);
  layout->addWidget(failures_, 1);
}

JobRow* JobsPanel::startJob(const QString& id, const QString& title) {
  if (JobRow* old = jobs_.take(id)) old->deleteLater();
  auto* row = new JobRow(title, rows_);
  rows_->layout()->addWidget(row);
  jobs_.insert(id, row);
  return row;
}

void JobsPanel::addFailures(const QString& job, const std::vector<Failure>& failures) {
  for (const Failure& f : failures) {
    const auto found = failures_->findItems(f.path, Qt::MatchExactly, 0);
    QTreeWidgetItem* item = found.isEmpty() ? new QTreeWidgetItem(failures_) : found.front();
    item->setText(0, f.path);
    item->setText(1, f.reason);
    item->setToolTip(1, f.reason);
    item->setText(2, job);
  }
  const int n = failureCount();
  failures_title_->setText(n == 0 ? tr("No failed images.") : tr("%n failed image(s):", nullptr, n));
}

void JobsPanel::clearFailures() {
  failures_->clear();
  failures_title_->setText(tr("No failed images."));
}

int JobsPanel::failureCount() const { return failures_->topLevelItemCount(); }

}  // namespace regionlab::ui
