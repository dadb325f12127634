// The model manager and label export/import dialogs, offscreen: they list what core reports,
// run core's work on a worker thread and show the result; screenshots go to test-artifacts.
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "core/io/label_exchange.h"
#include "core/models/model_store.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "tests/core/io/label_fixtures.h"
#include "tests/support/test_environment.h"
#include "ui/label_exchange_dialog.h"
#include "ui/model_manager_dialog.h"

using namespace regionlab;
namespace fs = std::filesystem;

class TestFormatsDialogs : public QObject {
  Q_OBJECT

private slots:
  void modelManagerListsTheManifestAndImports() {
    QTemporaryDir dir;
    const fs::path d(dir.path().toStdString());
    ModelManifest manifest = loadModelManifest();
    ModelManifestEntry tiny;
    tiny.id = "tiny";
    tiny.kind = "descriptor";
    tiny.title = "Tiny test checkpoint";
    tiny.file = "tiny.pth";
    tiny.url = "https://example.invalid/tiny.pth";
    tiny.license = "Apache-2.0";
    manifest.models.push_back(tiny);
    std::ofstream(d / "tiny.pth") << "weights";
    ModelStore store(d / "models", manifest);
    store.importFile("tiny", d / "tiny.pth", ImportMode::Copy);
    ui::ModelManagerDialog dialog(store, {});
    dialog.show();
    QCOMPARE(dialog.table()->rowCount(), int(manifest.models.size()));
    const int last = dialog.table()->rowCount() - 1;
    QCOMPARE(dialog.table()->item(last, 2)->text(), QString("verified"));
    QCOMPARE(dialog.table()->item(0, 2)->text(), QString("missing"));
    QVERIFY(dialog.activeModelsText().contains("No collection open"));
    dialog.grab().save(QString::fromStdString((test::artifactsDir() / "model_manager_dialog.png").string()));
  }

  void exportDialogWritesTheChosenFormat() {
    QTemporaryDir dir;
    const fs::path root = fs::path(dir.path().toStdString()) / "collection";
    fs::create_directories(root);
    const CollectionPaths paths(root);
    paths.createDataDirs();
    {
      auto db = Database::open(paths.database);
      for (const auto& [path, w, h] : {std::tuple{"a/one.jpg", 64, 48}, std::tuple{"b/two.png", 40, 30}}) {
        ImageRecord r;
        r.path = path;
        r.width = r.orig_width = w;
        r.height = r.orig_height = h;
        r.status = ImageStatus::Done;
        db->writeImage(r);
      }
    }
    const fs::path labels = fs::path(dir.path().toStdString()) / "labels";
    writeLabelSet(test::makeTrickyLabelSet(), LabelFormat::CocoInstances, labels, {}, root);

    ui::LabelExchangeDialog import(ui::LabelExchangeDialog::Mode::Import, root);
    import.pathEdit()->setText(QString::fromStdString((labels / "instances.json").string()));
    QSignalSpy imported(&import, &ui::LabelExchangeDialog::finished);
    import.run();
    QVERIFY(imported.wait(20000));
    QCOMPARE(imported.at(0).at(0).toBool(), true);
    QVERIFY2(import.reportText().contains("4 label(s) added"), qPrintable(import.reportText()));

    ui::LabelExchangeDialog exporter(ui::LabelExchangeDialog::Mode::Export, root);
    exporter.show();
    exporter.formatBox()->setCurrentText("voc");
    const fs::path out = fs::path(dir.path().toStdString()) / "voc";
    exporter.pathEdit()->setText(QString::fromStdString(out.string()));
    QVERIFY(!exporter.polygonsBox()->isEnabled());  // polygons are a COCO option
    QSignalSpy exported(&exporter, &ui::LabelExchangeDialog::finished);
    exporter.run();
    QVERIFY(exported.wait(20000));
    QCOMPARE(exported.at(0).at(0).toBool(), true);
    QVERIFY(fs::exists(out / "SegmentationClass" / "a" / "one.png"));
    QVERIFY2(exporter.reportText().contains("Exported 4 instance(s) of 2 image(s)"), qPrintable(exporter.reportText()));
    exporter.grab().save(QString::fromStdString((test::artifactsDir() / "export_dialog.png").string()));
  }
};

QTEST_MAIN(TestFormatsDialogs)
#include "tst_formats_dialogs.moc"
