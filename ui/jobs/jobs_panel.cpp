#include "ui/jobs/jobs_panel.h"

#include <cmath>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QTimer>
#include <QTimerEvent>
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

FlatProgressBar::FlatProgressBar(QWidget* parent) : QProgressBar(parent) {}

QSize FlatProgressBar::sizeHint() const { return {200, fontMetrics().height() + 6}; }

void FlatProgressBar::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QRect frame = rect().adjusted(0, 0, -1, -1);
  p.fillRect(rect(), palette().color(QPalette::Base));
  const QRect inner = rect().adjusted(1, 1, -1, -1);
  const bool busy = maximum() == minimum();
  if (busy) {
    if (!busy_timer_) busy_timer_ = startTimer(100);
    // Indeterminate: a block sweeping across.
    const int block = std::max(20, inner.width() / 5);
    const int x = inner.x() + (busy_phase_ * 6) % std::max(1, inner.width() + block) - block;
    p.fillRect(QRect(x, inner.y(), block, inner.height()).intersected(inner), palette().color(QPalette::Highlight));
  } else {
    const double fraction = double(value() - minimum()) / double(maximum() - minimum());
    p.fillRect(QRect(inner.x(), inner.y(), int(inner.width() * fraction + 0.5), inner.height()), palette().color(QPalette::Highlight));
  }
  p.setPen(palette().color(QPalette::Mid));
  p.drawRect(frame);
  if (isTextVisible() && !busy) {
    p.setPen(palette().color(QPalette::Text));
    p.drawText(inner, Qt::AlignCenter, text());
  }
}

void FlatProgressBar::timerEvent(QTimerEvent* event) {
  if (event->timerId() != busy_timer_) return QProgressBar::timerEvent(event);
  if (maximum() != minimum()) {
    killTimer(busy_timer_);
    busy_timer_ = 0;
    return;
  }
  ++busy_phase_;
  update();
}

JobRow::JobRow(const QString& title, QWidget* parent) : QWidget(parent) {
  title_ = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()), this);
  bar_ = new FlatProgressBar(this);
  throttle_ = new QTimer(this);
  throttle_->setSingleShot(true);
  throttle_->setInterval(200);
  connect(throttle_, &QTimer::timeout, this, &JobRow::showProgress);
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
  pending_ = Pending{done, total, items_per_second, eta_seconds, detail};
  if (!throttle_->isActive()) {
    showProgress();
    throttle_->start();
  }
}

void JobRow::showProgress() {
  if (!pending_) return;
  const Pending p = *pending_;
  pending_.reset();
  // QProgressBar counts in int: scale to permille for collections of any size.
  bar_->setRange(0, 1000);
  bar_->setValue(p.total > 0 ? int(1000 * p.done / p.total) : 0);
  bar_->setFormat(QStringLiteral("%1 / %2").arg(p.done).arg(p.total));
  QString text = tr("%1 %2/s").arg(p.rate, 0, 'f', p.rate < 10 ? 1 : 0).arg(unit_.isEmpty() ? tr("images") : unit_);
  text += p.eta >= 0 ? tr(" · %1 left").arg(formatDuration(p.eta)) : tr(" · estimating time left");
  if (!p.detail.isEmpty()) text += QStringLiteral(" · ") + p.detail;
  status_->setText(text);
}

void JobRow::setBusy(const QString& text) {
  pending_.reset();
  bar_->setRange(0, 0);
  status_->setText(text);
}

void JobRow::finish(const QString& text) {
  pending_.reset();
  throttle_->stop();
  finished_ = true;
  if (bar_->maximum() == 0) bar_->setRange(0, 1000);
  bar_->setValue(bar_->maximum());
  bar_->setFormat(tr("finished"));
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
