// regionlab: the desktop application. Opens the folder given on the command line (or the last
// collection), ingests it in the background and lets the user search and label it.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimer>

#include "core/base/build_info.h"
#include "ui/browser/collection_browser.h"
#include "ui/browser/collection_model.h"
#include "ui/window/main_window.h"

namespace {

void printUsage(FILE* out) {
  std::fputs(
      "Usage: regionlab [options] [folder]\n\n"
      "Region-based labeling and search of image collections. Opens <folder> (default: the last\n"
      "collection), ingests its images in the background (resuming where an earlier run stopped)\n"
      "and shows them; click an object in an image to find every image with a similar one.\n\n"
      "Options:\n"
      "  --threads N          worker threads for ingest (default: one per core)\n"
      "  --screenshot FILE    open <folder>, wait for the ingest, show its first image, save a\n"
      "                       screenshot of the window as FILE (PNG) and exit (runs headless\n"
      "                       when no display is set)\n"
      "  --version            print the versions of RegionLab and its libraries\n"
      "  -h, --help           print this help\n",
      out);
}

struct Arguments {
  QString folder;
  QString screenshot;
  int threads = 0;
};

// Returns the exit code to stop with (-1: go on).
int parseArguments(int argc, char** argv, Arguments& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      printUsage(stdout);
      return 0;
    }
    if (a == "--version") {
      std::printf("RegionLab %s\nQt %s (built with %s), %s\n", regionlab::regionlabVersion().c_str(), qVersion(), QT_VERSION_STR,
                  regionlab::libraryVersions().c_str());
      return 0;
    }
    if (a == "--threads" || a == "--screenshot") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "regionlab: %s needs a value (see regionlab --help)\n", a.c_str());
        return 2;
      }
      const std::string value = argv[++i];
      if (a == "--screenshot") {
        args.screenshot = QString::fromLocal8Bit(value.c_str());
      } else {
        char* end = nullptr;
        const long n = std::strtol(value.c_str(), &end, 10);
        if (*end != '\0' || n < 0 || n > 256) {
          std::fprintf(stderr, "regionlab: --threads needs a number from 0 to 256, not '%s'\n", value.c_str());
          return 2;
        }
        args.threads = int(n);
      }
      continue;
    }
    // Qt's own options (-platform, -style, …) are left for QApplication.
    if (a.size() > 1 && a[0] == '-') {
      if (a == "-platform" || a == "-style" || a == "-qwindowgeometry") ++i;
      continue;
    }
    if (!args.folder.isEmpty()) {
      std::fprintf(stderr, "regionlab: one folder at a time ('%s' and '%s')\n", qPrintable(args.folder), a.c_str());
      return 2;
    }
    args.folder = QString::fromLocal8Bit(a.c_str());
  }
  if (!args.screenshot.isEmpty() && args.folder.isEmpty()) {
    std::fprintf(stderr, "regionlab: --screenshot needs a folder\n");
    return 2;
  }
  if (!args.folder.isEmpty() && !QFileInfo(args.folder).isDir()) {
    std::fprintf(stderr, "regionlab: %s: not a folder\n", qPrintable(args.folder));
    return 1;
  }
  return -1;
}

// --screenshot: when the ingest ends, show the first image and save the window.
void scheduleScreenshot(regionlab::ui::MainWindow& window, const QString& file) {
  using regionlab::ui::MainWindow;
  QObject::connect(&window, &MainWindow::ingestFinished, &window, [&window, file](bool) {
    auto* model = window.browser()->model();
    QString first;
    for (int row = 0; model && row < model->rowCount(); ++row) {
      if (model->entry(row).status == regionlab::ImageStatus::Done) {
        first = model->entry(row).path;
        break;
      }
    }
    const auto save = [&window, file] {
      // Let the thumbnails of the visible cells arrive first.
      QTimer::singleShot(1500, &window, [&window, file] {
        const bool ok = window.grab().save(file, "PNG");
        if (!ok) std::fprintf(stderr, "regionlab: cannot write %s\n", qPrintable(file));
        QApplication::exit(ok ? 0 : 1);
      });
    };
    if (first.isEmpty()) {
      save();
      return;
    }
    QObject::connect(&window, &MainWindow::documentShown, &window, save, Qt::SingleShotConnection);
    window.openImage(first);
  });
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  if (const int code = parseArguments(argc, argv, args); code >= 0) return code;
  const bool headless = std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr;
  if (!args.screenshot.isEmpty() && headless && std::getenv("QT_QPA_PLATFORM") == nullptr) setenv("QT_QPA_PLATFORM", "offscreen", 1);

  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("RegionLab"));
  QApplication::setApplicationName(QStringLiteral("RegionLab"));
  QApplication::setApplicationVersion(QString::fromStdString(regionlab::regionlabVersion()));

  regionlab::ui::MainWindowOptions options;
  options.ingest.threads = args.threads;
  QTemporaryDir scratch;
  if (!args.screenshot.isEmpty()) {
    // A screenshot run leaves the user's settings (layout, recent collections) untouched.
    options.settings_file = scratch.filePath(QStringLiteral("settings.ini"));
    options.reopen_last_collection = false;
  }
  regionlab::ui::MainWindow window(options);
  window.show();
  if (!args.screenshot.isEmpty()) scheduleScreenshot(window, args.screenshot);
  if (!args.folder.isEmpty()) window.openCollection(args.folder);
  else window.reopenLastCollection();
  return app.exec();
}
