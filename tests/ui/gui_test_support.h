#pragma once
// Helpers for the GUI tests: a main window on a private settings file, waiting for its
// asynchronous work, clicking image pixels in the viewer and saving screenshots as artifacts.
#include <filesystem>
#include <memory>
#include <optional>

#include <QPointF>
#include <QString>

#include "ui/window/main_window.h"

class QTemporaryDir;
class QWidget;

namespace regionlab::test {

// A main window that keeps its settings in `dir` and never reopens a collection by itself. The
// model directory is an empty folder in `dir` (REGIONLAB_MODEL_DIR), so that checkpoints the
// machine happens to have never change what the tests see; `sam` gives the SAM prompt mode a
// checkpoint (e.g. the golden tiny one).
std::unique_ptr<ui::MainWindow> makeMainWindow(const QTemporaryDir& dir, int ingest_threads = 2,
                                               std::optional<ui::SamCheckpoint> sam = std::nullopt);

// Opens the folder and waits until the ingest has finished; false on timeout or failure.
bool openAndIngest(ui::MainWindow& window, const std::filesystem::path& folder, int timeout_ms = 60000);
// Double-clicks the image's cell in the browser and waits until the viewer shows it.
bool openImageByDoubleClick(ui::MainWindow& window, const QString& relative_path, int timeout_ms = 20000);
// Sends a mouse move (no button) to the widget at `pos`, as the window system does when the
// pointer moves over it (QTest::mouseMove only moves the cursor on the offscreen platform).
void moveMouse(QWidget* widget, QPoint pos);
// Moves the mouse onto an image pixel in the viewer, then clicks it (with modifiers).
void clickImagePoint(ui::MainWindow& window, QPointF image_point, Qt::KeyboardModifiers modifiers = {});
// Waits until every label edit and reload has finished.
bool waitForLabels(ui::MainWindow& window, int timeout_ms = 10000);
// Saves a PNG of the widget in the artifacts folder; returns its path.
std::filesystem::path saveScreenshot(QWidget& widget, const QString& name);

}  // namespace regionlab::test
