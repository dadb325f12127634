#include "tests/ui/gui_test_support.h"

#include <QApplication>
#include <QListView>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/support/test_environment.h"
#include "ui/browser/collection_browser.h"
#include "ui/browser/collection_filter_model.h"
#include "ui/browser/collection_model.h"
#include "ui/labels/label_service.h"
#include "ui/viewer/image_viewer.h"
#include "ui/window/collection_session.h"

namespace regionlab::test {

std::unique_ptr<ui::MainWindow> makeMainWindow(const QTemporaryDir& dir, int ingest_threads, std::optional<ui::SamCheckpoint> sam) {
  const QString models = dir.filePath(QStringLiteral("models"));
  QDir().mkpath(models);
  qputenv("REGIONLAB_MODEL_DIR", QFile::encodeName(models));
  ui::MainWindowOptions options;
  options.sam_checkpoint = std::move(sam);
  options.settings_file = dir.filePath(QStringLiteral("settings.ini"));
  options.reopen_last_collection = false;
  options.ingest.threads = ingest_threads;
  auto window = std::make_unique<ui::MainWindow>(options);
  window->resize(1500, 950);
  return window;
}

bool openAndIngest(ui::MainWindow& window, const std::filesystem::path& folder, int timeout_ms) {
  QSignalSpy finished(&window, &ui::MainWindow::ingestFinished);
  window.openCollection(QString::fromStdString(folder.string()));
  if (!finished.wait(timeout_ms)) return false;
  return finished.front().front().toBool();
}

bool openImageByDoubleClick(ui::MainWindow& window, const QString& relative_path, int timeout_ms) {
  ui::CollectionBrowser* browser = window.browser();
  const int row = browser->model()->rowOfPath(relative_path);
  if (row < 0) return false;
  const QModelIndex index = browser->filterModel()->mapFromSource(browser->model()->index(row));
  browser->view()->scrollTo(index);
  const QPoint centre = browser->view()->visualRect(index).center();
  QSignalSpy shown(&window, &ui::MainWindow::documentShown);
  QTest::mouseClick(browser->view()->viewport(), Qt::LeftButton, {}, centre);
  QTest::mouseDClick(browser->view()->viewport(), Qt::LeftButton, {}, centre);
  while (shown.wait(timeout_ms)) {
    if (shown.back().front().toString() == relative_path) return true;
  }
  return false;
}

void moveMouse(QWidget* widget, QPoint pos) {
  QMouseEvent move(QEvent::MouseMove, QPointF(pos), widget->mapToGlobal(QPointF(pos)), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
  QApplication::sendEvent(widget, &move);
}

void clickImagePoint(ui::MainWindow& window, QPointF image_point, Qt::KeyboardModifiers modifiers) {
  ui::ImageViewer* viewer = window.viewer();
  const QPoint at = viewer->viewportPointOf(image_point);
  moveMouse(viewer->viewport(), at);
  QTest::mouseClick(viewer->viewport(), Qt::LeftButton, modifiers, at);
}

bool waitForLabels(ui::MainWindow& window, int timeout_ms) {
  return QTest::qWaitFor([&] { return !window.session()->labels()->busy(); }, timeout_ms);
}

std::filesystem::path saveScreenshot(QWidget& widget, const QString& name) {
  QCoreApplication::processEvents();
  const std::filesystem::path file = artifactsDir() / (name.toStdString() + ".png");
  if (!widget.grab().save(QString::fromStdString(file.string()), "PNG")) qWarning("cannot save %s", file.c_str());
  return file;
}

}  // namespace regionlab::test
