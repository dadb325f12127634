#pragma once
// Export and import of labels for the open collection: format, destination or source, and the
// options of core/io/label_exchange.h (polygons, automatic labels above a confidence, class map,
// missing images). The work runs on a worker thread; the report (counts, notes, every warning
// about what a format could not hold) is shown in the dialog. The lead adds the menu entries.
#include <QDialog>
#include <filesystem>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace regionlab::ui {

class LabelExchangeDialog : public QDialog {
  Q_OBJECT

public:
  enum class Mode { Export, Import };
  LabelExchangeDialog(Mode mode, std::filesystem::path collection, QWidget* parent = nullptr);

  // For tests and scripted use: the widgets the user fills in.
  QComboBox* formatBox() const { return format_; }
  QLineEdit* pathEdit() const { return path_; }
  QCheckBox* polygonsBox() const { return polygons_; }
  QCheckBox* includeAutoBox() const { return include_auto_; }
  QDoubleSpinBox* confidenceBox() const { return confidence_; }
  QCheckBox* skipMissingBox() const { return skip_missing_; }
  QLineEdit* classMapEdit() const { return class_map_; }
  QString reportText() const;

public slots:
  // Runs the export or import with the current settings; finished() is emitted when done.
  void run();

signals:
  void finished(bool ok);
  void workDone(QString report, bool ok);

private:
  void browse();
  void updateOptions();
  Mode mode_;
  std::filesystem::path collection_;
  QComboBox* format_ = nullptr;
  QLineEdit* path_ = nullptr;
  QCheckBox* polygons_ = nullptr;
  QCheckBox* include_auto_ = nullptr;
  QDoubleSpinBox* confidence_ = nullptr;
  QCheckBox* skip_missing_ = nullptr;
  QLineEdit* class_map_ = nullptr;
  QPlainTextEdit* report_ = nullptr;
  QPushButton* run_ = nullptr;
};

}  // namespace regionlab::ui
