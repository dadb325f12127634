#include "ui/model_manager_dialog.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/base/error.h"
#include "core/models/model_selection.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab::ui {

namespace {

QString sizeText(const ModelManifestEntry& e) {
  if (!e.size) return QObject::tr("unknown");
  return QString::number(double(*e.size) / double(1 << 20), 'f', 0) + " MB";
}

}  // namespace

ModelManagerDialog::ModelManagerDialog(ModelStore store, std::filesystem::path collection, QWidget* parent)
    : QDialog(parent), store_(std::move(store)), collection_(std::move(collection)), cancel_requested_(std::make_shared<std::atomic<bool>>(false)) {
  setWindowTitle(tr("Models"));
  resize(960, 520);
  auto* layout = new QVBoxLayout(this);
  auto* where = new QLabel(tr("Model directory: %1").arg(QString::fromStdString(store_.directory().string())), this);
  where->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(where);
  table_ = new QTableWidget(0, 6, this);
  table_->setHorizontalHeaderLabels({tr("Model"), tr("Role"), tr("State"), tr("Size"), tr("Licence"), tr("Details")});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  layout->addWidget(table_, 1);
  active_ = new QLabel(this);
  active_->setWordWrap(true);
  layout->addWidget(active_);
  progress_ = new QProgressBar(this);
  progress_->setVisible(false);
  layout->addWidget(progress_);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(message_);
  auto* buttons = new QHBoxLayout;
  download_ = new QPushButton(tr("&Download"), this);
  import_ = new QPushButton(tr("&Import file…"), this);
  verify_ = new QPushButton(tr("&Verify"), this);
  use_ = new QPushButton(tr("&Use for this collection"), this);
  cancel_ = new QPushButton(tr("&Cancel download"), this);
  auto* close = new QPushButton(tr("Close"), this);
  for (QPushButton* b : {download_, import_, verify_, use_, cancel_}) buttons->addWidget(b);
  buttons->addStretch(1);
  buttons->addWidget(close);
  layout->addLayout(buttons);
  use_->setEnabled(!collection_.empty());
  cancel_->setVisible(false);
  connect(download_, &QPushButton::clicked, this, &ModelManagerDialog::downloadSelected);
  connect(import_, &QPushButton::clicked, this, &ModelManagerDialog::importSelected);
  connect(verify_, &QPushButton::clicked, this, &ModelManagerDialog::verifySelected);
  connect(use_, &QPushButton::clicked, this, &ModelManagerDialog::useSelected);
  connect(cancel_, &QPushButton::clicked, this, &ModelManagerDialog::cancelDownload);
  connect(close, &QPushButton::clicked, this, &QDialog::reject);
  connect(this, &ModelManagerDialog::progressChanged, this, [this](qint64 received, qint64 total) {
    progress_->setRange(0, total > 0 ? 1000 : 0);
    if (total > 0) progress_->setValue(int(1000 * received / total));
    progress_->setFormat(tr("%1 of %2 MB").arg(received >> 20).arg(total >> 20));
  }, Qt::QueuedConnection);
  connect(this, &ModelManagerDialog::workFinished, this, [this](const QString& text, bool ok) {
    setBusy(false);
    message_->setText(text);
    message_->setStyleSheet(ok ? QString() : QStringLiteral("color: #b00020;"));
    refresh();
  }, Qt::QueuedConnection);
  refresh();
  if (table_->rowCount() > 0) table_->selectRow(0);
}

ModelManagerDialog::~ModelManagerDialog() {
  // A download still running must not outlive the dialog's store: ask it to stop and wait.
  cancel_requested_->store(true);
  QThreadPool::globalInstance()->waitForDone();
}

void ModelManagerDialog::refresh() {
  const std::vector<ModelStatus> all = store_.statusOfAll();
  const int selected = table_->currentRow();
  table_->setRowCount(int(all.size()));
  for (int row = 0; row < int(all.size()); ++row) {
    const ModelStatus& s = all[size_t(row)];
    const QStringList cells = {QString::fromStdString(s.entry->title.empty() ? s.entry->id : s.entry->title),
                               QString::fromStdString(s.entry->kind), QString::fromStdString(modelFileStateName(s.state)),
                               sizeText(*s.entry), QString::fromStdString(s.entry->license), QString::fromStdString(s.detail)};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      item->setData(Qt::UserRole, QString::fromStdString(s.entry->id));
      if (c == 0) item->setToolTip(QString::fromStdString(s.entry->url + "\n" + s.entry->notes));
      table_->setItem(row, c, item);
    }
  }
  table_->resizeColumnsToContents();
  if (selected >= 0) table_->selectRow(selected);
  active_->setText(activeModelsText());
}

QString ModelManagerDialog::activeModelsText() const {
  if (collection_.empty()) return tr("No collection open: models are chosen per collection.");
  try {
    const CollectionPaths paths(collection_);
    if (!paths.hasDatabase()) return tr("The collection has no database yet.");
    auto db = Database::open(paths.database, Database::Access::ReadOnly);
    QStringList lines;
    for (const ModelSelection& s : readModelSelections(*db, store_)) {
      lines << tr("%1: <b>%2</b> — %3").arg(QString::fromStdString(s.kind), QString::fromStdString(s.active), QString::fromStdString(s.reason).toHtmlEscaped());
    }
    return lines.join("<br>");
  } catch (const Error& e) {
    return QString::fromStdString(e.what()).toHtmlEscaped();
  }
}

std::string ModelManagerDialog::selectedId() const {
  const int row = table_->currentRow();
  if (row < 0 || !table_->item(row, 0)) return {};
  return table_->item(row, 0)->data(Qt::UserRole).toString().toStdString();
}

void ModelManagerDialog::setBusy(bool busy) {
  busy_ = busy;
  for (QPushButton* b : {download_, import_, verify_}) b->setEnabled(!busy);
  use_->setEnabled(!busy && !collection_.empty());
  cancel_->setVisible(busy);
  progress_->setVisible(busy);
}

void ModelManagerDialog::runInBackground(std::function<std::string()> work) {
  setBusy(true);
  message_->clear();
  (void)QtConcurrent::run([this, work = std::move(work)] {
    try {
      emit workFinished(QString::fromStdString(work()), true);
    } catch (const std::exception& e) {
      emit workFinished(QString::fromStdString(e.what()), false);
    }
  });
}

void ModelManagerDialog::downloadSelected() {
  const std::string id = selectedId();
  if (id.empty() || busy_) return;
  cancel_requested_->store(false);
  auto cancel = cancel_requested_;
  runInBackground([this, id, cancel] {
    DownloadOptions options;
    options.progress = [this, cancel](const DownloadProgress& p) {
      emit progressChanged(p.received, p.total);
      return !cancel->load();
    };
    const ModelStatus s = store_.download(id, options);
    return id + ": " + s.detail;
  });
}

void ModelManagerDialog::cancelDownload() { cancel_requested_->store(true); }

void ModelManagerDialog::importSelected() {
  const std::string id = selectedId();
  if (id.empty() || busy_) return;
  const QString file = QFileDialog::getOpenFileName(this, tr("Checkpoint file for %1").arg(QString::fromStdString(id)), QString(),
                                                    tr("Checkpoints (*.pth *.pt);;All files (*)"));
  if (file.isEmpty()) return;
  runInBackground([this, id, path = file.toStdString()] {
    const ModelStatus s = store_.importFile(id, path, ImportMode::Copy);
    return id + ": " + s.detail;
  });
}

void ModelManagerDialog::verifySelected() {
  const std::string id = selectedId();
  if (id.empty() || busy_) return;
  runInBackground([this, id] {
    const ModelStatus s = store_.verify(id);
    if (s.state != ModelFileState::Verified) throw Error(s.path, modelFileStateName(s.state) + ": " + s.detail);
    return id + ": " + s.detail;
  });
}

void ModelManagerDialog::useSelected() {
  const std::string id = selectedId();
  if (id.empty() || collection_.empty()) return;
  try {
    const CollectionPaths paths(collection_);
    auto db = Database::open(paths.database);
    const ModelSelection s = selectModel(*db, store_, id);
    message_->setStyleSheet(QString());
    message_->setText(tr("%1 now uses %2. Ingest again to compute its regions or vectors.")
                          .arg(QString::fromStdString(s.kind), QString::fromStdString(s.active)));
    emit modelsChanged();
  } catch (const Error& e) {
    message_->setStyleSheet(QStringLiteral("color: #b00020;"));
    message_->setText(QString::fromStdString(e.what()));
  }
  refresh();
}

}  // namespace regionlab::ui
