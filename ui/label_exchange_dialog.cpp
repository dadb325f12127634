#include "ui/label_exchange_dialog.h"

#include <vector>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/io/label_exchange.h"

namespace regionlab::ui {

LabelExchangeDialog::LabelExchangeDialog(Mode mode, std::filesystem::path collection, QWidget* parent)
    : QDialog(parent), mode_(mode), collection_(std::move(collection)) {
  setWindowTitle(mode_ == Mode::Export ? tr("Export labels") : tr("Import labels"));
  resize(640, 480);
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  format_ = new QComboBox(this);
  for (LabelFormat f : allLabelFormats()) {
    if (mode_ == Mode::Import && !formatCanImport(f)) continue;
    format_->addItem(QString::fromStdString(labelFormatName(f)));
  }
  form->addRow(tr("&Format:"), format_);
  auto* path_row = new QHBoxLayout;
  path_ = new QLineEdit(this);
  auto* browse = new QPushButton(tr("Browse…"), this);
  path_row->addWidget(path_, 1);
  path_row->addWidget(browse);
  // A label with a buddy: QFormLayout gives a row whose field is a layout no buddy, so the
  // mnemonic would be drawn as a literal '&'.
  auto* path_label = new QLabel(mode_ == Mode::Export ? tr("&Output folder:") : tr("&Source:"), this);
  path_label->setBuddy(path_);
  form->addRow(path_label, path_row);
  polygons_ = new QCheckBox(tr("COCO polygons where exact (masks with holes stay RLE)"), this);
  include_auto_ = new QCheckBox(tr("Include automatic labels at or above confidence"), this);
  confidence_ = new QDoubleSpinBox(this);
  confidence_->setRange(0.0, 1.0);
  confidence_->setSingleStep(0.05);
  confidence_->setValue(0.5);
  skip_missing_ = new QCheckBox(tr("Skip images that are not in the collection"), this);
  class_map_ = new QLineEdit(this);
  class_map_->setPlaceholderText(tr("optional JSON {\"file class\": \"collection class\" or null}"));
  if (mode_ == Mode::Export) {
    form->addRow(QString(), polygons_);
    auto* auto_row = new QHBoxLayout;
    auto_row->addWidget(include_auto_);
    auto_row->addWidget(confidence_);
    form->addRow(QString(), auto_row);
  } else {
    form->addRow(QString(), skip_missing_);
    form->addRow(tr("&Class map:"), class_map_);
  }
  // The other mode's options stay unparented from any layout: hidden, or they would be drawn at
  // the dialog's top-left corner over the form.
  const std::vector<QWidget*> unused = mode_ == Mode::Export ? std::vector<QWidget*>{skip_missing_, class_map_}
                                                              : std::vector<QWidget*>{polygons_, include_auto_, confidence_};
  for (QWidget* w : unused) w->hide();
  layout->addLayout(form);
  report_ = new QPlainTextEdit(this);
  report_->setReadOnly(true);
  layout->addWidget(report_, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  run_ = buttons->addButton(mode_ == Mode::Export ? tr("&Export") : tr("&Import"), QDialogButtonBox::ActionRole);
  layout->addWidget(buttons);
  connect(browse, &QPushButton::clicked, this, &LabelExchangeDialog::browse);
  connect(run_, &QPushButton::clicked, this, &LabelExchangeDialog::run);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(format_, &QComboBox::currentTextChanged, this, &LabelExchangeDialog::updateOptions);
  connect(include_auto_, &QCheckBox::toggled, this, &LabelExchangeDialog::updateOptions);
  connect(this, &LabelExchangeDialog::workDone, this, [this](const QString& text, bool ok) {
    report_->setPlainText(text);
    run_->setEnabled(true);
    emit finished(ok);
  }, Qt::QueuedConnection);
  updateOptions();
}

QString LabelExchangeDialog::reportText() const { return report_->toPlainText(); }

void LabelExchangeDialog::updateOptions() {
  polygons_->setEnabled(format_->currentText() == "coco");
  confidence_->setEnabled(include_auto_->isChecked());
}

void LabelExchangeDialog::browse() {
  const QString format = format_->currentText();
  QString chosen;
  if (mode_ == Mode::Export || format == "yolo-seg" || format == "labelme") {
    chosen = QFileDialog::getExistingDirectory(this, tr("Folder"), path_->text());
  } else {
    chosen = QFileDialog::getOpenFileName(this, tr("Label file"), path_->text(), tr("JSON (*.json)"));
  }
  if (!chosen.isEmpty()) path_->setText(chosen);
}

void LabelExchangeDialog::run() {
  if (path_->text().isEmpty()) {
    report_->setPlainText(mode_ == Mode::Export ? tr("Choose an output folder.") : tr("Choose the file or folder to import."));
    emit finished(false);
    return;
  }
  run_->setEnabled(false);
  report_->setPlainText(tr("Working…"));
  const std::filesystem::path path = path_->text().toStdString();
  const LabelFormat format = labelFormatFromName(format_->currentText().toStdString());
  if (mode_ == Mode::Export) {
    LabelExportOptions options;
    options.format = format;
    options.polygons = polygons_->isChecked();
    options.include_auto = include_auto_->isChecked();
    options.min_auto_confidence = confidence_->value();
    (void)QtConcurrent::run([this, options, path] {
      try {
        const ExportReport r = exportCollectionLabels(collection_, path, options);
        QString text = tr("Exported %1 instance(s) of %2 image(s) (%3 files).").arg(r.instances).arg(r.images).arg(r.files.size());
        for (const std::string& n : r.notes) text += "\n" + tr("Note: %1").arg(QString::fromStdString(n));
        for (const std::string& w : r.warnings) text += "\n" + tr("Warning: %1").arg(QString::fromStdString(w));
        emit workDone(text, true);
      } catch (const std::exception& e) {
        emit workDone(QString::fromStdString(e.what()), false);
      }
    });
    return;
  }
  LabelImportOptions options;
  options.format = format;
  options.missing_images = skip_missing_->isChecked() ? MissingImagePolicy::Skip : MissingImagePolicy::Fail;
  const std::string class_map = class_map_->text().toStdString();
  (void)QtConcurrent::run([this, options, path, class_map]() mutable {
    try {
      if (!class_map.empty()) options.class_map = readClassMapFile(class_map);
      const LabelImportReport r = importCollectionLabels(collection_, path, options);
      QString text = tr("Imported %1 of %2 image(s): %3 label(s) added, %4 already there, %5 new class(es).")
                         .arg(r.images_matched).arg(r.images_in_file).arg(r.written.labels_added).arg(r.written.labels_existing)
                         .arg(r.written.classes_added);
      for (const std::string& m : r.missing_images) text += "\n" + tr("Skipped (not in the collection): %1").arg(QString::fromStdString(m));
      emit workDone(text, true);
    } catch (const std::exception& e) {
      emit workDone(QString::fromStdString(e.what()), false);
    }
  });
}

}  // namespace regionlab::ui
