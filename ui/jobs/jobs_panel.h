#pragma once
// Long-running work (ingest, index building, auto-labeling, re-ingest after a model change): one row
// per job with a progress bar, images/s, time left and Cancel, and below them every image that
// failed, with the reason.
#include <cstdint>
#include <optional>
#include <vector>

#include <QHash>
#include <QProgressBar>
#include <QWidget>

class QLabel;
class QPushButton;
class QTimer;
class QTreeWidget;

namespace regionlab::ui {

// A progress bar painted with plain rectangle fills. The Fusion style's bar is drawn with line
// batches that Qt's raster engine splits over its own thread pool and waits for; with every core
// busy (an ingest next to other work) that wait stalled the GUI thread for tens of milliseconds
// at each repaint, and a job's bar repaints all the time.
class FlatProgressBar : public QProgressBar {
  Q_OBJECT

public:
  explicit FlatProgressBar(QWidget* parent = nullptr);
  QSize sizeHint() const override;

protected:
  void paintEvent(QPaintEvent* event) override;
  void timerEvent(QTimerEvent* event) override;

private:
  int busy_timer_ = 0;  // animates the indeterminate state
  int busy_phase_ = 0;
};

class JobRow : public QWidget {
  Q_OBJECT

public:
  JobRow(const QString& title, QWidget* parent = nullptr);
  // Shown at most five times a second (a fast job reports far more often).
  void setProgress(int64_t done, int64_t total, double items_per_second, double eta_seconds, const QString& detail);
  // What the rate counts ("images" unless set: "vectors" for the index job).
  void setUnit(const QString& plural) { unit_ = plural; }
  // Indeterminate phase (e.g. "updating the search index").
  void setBusy(const QString& text);
  void finish(const QString& text);
  bool finished() const { return finished_; }
  QProgressBar* bar() const { return bar_; }
  QLabel* status() const { return status_; }

signals:
  void cancelRequested();

private:
  void showProgress();

  QLabel* title_;
  QProgressBar* bar_;
  QTimer* throttle_;
  struct Pending {
    int64_t done = 0, total = 0;
    double rate = 0, eta = -1;
    QString detail;
  };
  std::optional<Pending> pending_;
  QLabel* status_;
  QPushButton* cancel_;
  bool finished_ = false;
  QString unit_;
};

class JobsPanel : public QWidget {
  Q_OBJECT

public:
  explicit JobsPanel(QWidget* parent = nullptr);
  // A row for the job `id`; an earlier finished row of the same id is replaced.
  JobRow* startJob(const QString& id, const QString& title);
  JobRow* job(const QString& id) const { return jobs_.value(id); }

  struct Failure {
    QString path;
    QString reason;
  };
  // Lists failures of a job; a path already listed has its reason updated.
  void addFailures(const QString& job, const std::vector<Failure>& failures);
  void clearFailures();
  int failureCount() const;
  QTreeWidget* failureList() const { return failures_; }

private:
  QWidget* rows_;
  QTreeWidget* failures_;
  QLabel* failures_title_;
  QHash<QString, JobRow*> jobs_;
};

// "1:05" / "2:03:10"
QString formatDuration(double seconds);

}  // namespace regionlab::ui
