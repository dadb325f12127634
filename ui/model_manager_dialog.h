#pragma once
// The model manager: every checkpoint of the manifest with its state (missing, partial,
// unverified, verified, mismatch), download with progress and cancel, import of a file the user
// already has, verification, and — when a collection is open — which model each role uses and
// why, with "Use for this collection". All work is done by core/models on a worker thread; this
// widget only shows it. The lead adds the menu entry to the main window.
#include <QDialog>
#include <atomic>
#include <filesystem>
#include <memory>

#include "core/models/model_store.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace regionlab::ui {

class ModelManagerDialog : public QDialog {
  Q_OBJECT

public:
  // collection: the open collection's folder, or empty (then "Use" is disabled).
  ModelManagerDialog(ModelStore store, std::filesystem::path collection, QWidget* parent = nullptr);
  ~ModelManagerDialog() override;

  QTableWidget* table() const { return table_; }
  QString activeModelsText() const;

public slots:
  void refresh();
  void downloadSelected();
  void importSelected();
  void verifySelected();
  void useSelected();
  void cancelDownload();

signals:
  void progressChanged(qint64 received, qint64 total);
  void workFinished(QString message, bool ok);
  // "Use for this collection" changed the collection's model choice (the main window reloads).
  void modelsChanged();

private:
  std::string selectedId() const;
  void setBusy(bool busy);
  void runInBackground(std::function<std::string()> work);

  ModelStore store_;
  std::filesystem::path collection_;
  QTableWidget* table_ = nullptr;
  QLabel* active_ = nullptr;
  QLabel* message_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton *download_ = nullptr, *import_ = nullptr, *verify_ = nullptr, *use_ = nullptr, *cancel_ = nullptr;
  std::shared_ptr<std::atomic<bool>> cancel_requested_;
  bool busy_ = false;
};

}  // namespace regionlab::ui
