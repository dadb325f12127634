// End to end through regionlab-cli: a collection ingested with --descriptor dinov2-vits14 when the
// model folder holds a file under that official name (here the golden tiny checkpoint, whose
// architecture is read from its shapes), the vectors recorded with the checkpoint's SHA-256, and
// the messages when no checkpoint is there.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/base/sha256.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

fs::path makeCollection(const fs::path& dir, int images) {
  fs::create_directories(dir);
  for (int i = 0; i < images; ++i) test::writeRgbImage(dir / ("shapes_" + std::to_string(i) + ".jpg"), test::makeShapesImage(uint32_t(100 + i)));
  return dir;
}

}  // namespace

class TestDinoV2Ingest : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  fs::path root() const { return tmp_.path().toStdString(); }

private slots:
  void initTestCase() {
    qputenv("XDG_CACHE_HOME", (tmp_.path() + "/cache").toUtf8());
    qunsetenv("REGIONLAB_DEVICE");
    qunsetenv("REGIONLAB_PRECISION");
  }

  void ingestsWithACheckpointUnderItsOfficialName() {
    const auto shared = test::sharedDir();
    if (!shared) QSKIP("../shared is absent: the golden tiny checkpoint is needed");
    const fs::path checkpoint = *shared / "golden" / "dinov2_tiny.pth";
    const fs::path models = root() / "models";
    fs::create_directories(models);
    // dinov2_tiny.pth uses the non-register hub convention (offset 0.1, no antialias) like ViT-S/14.
    fs::create_symlink(checkpoint, models / "dinov2_vits14_pretrain.pth");
    qputenv("REGIONLAB_MODEL_DIR", QByteArray::fromStdString(models.string()));

    const fs::path collection = makeCollection(root() / "photos", 3);
    const auto ingest = test::runCommand(test::cliBinary().string(), {"ingest", collection.string(), "--descriptor", "dinov2-vits14", "--device",
                                                                      "cpu", "--precision", "fp32", "--threads", "1", "--quiet", "--json"});
    QVERIFY2(ingest.exit_code == 0, ingest.error.c_str());
    const nlohmann::json report = nlohmann::json::parse(ingest.output);
    QCOMPARE(report.at("done").get<int>(), 3);
    QVERIFY(report.at("failed").empty());
    QVERIFY(report.at("regions").get<int>() > 3);
    QVERIFY2(report.at("models").get<std::string>().find("descriptor: dinov2-vits14") != std::string::npos, ingest.output.c_str());

    const auto info = test::runCommand(test::cliBinary().string(), {"info", collection.string(), "--json"});
    QVERIFY2(info.exit_code == 0, info.error.c_str());
    const nlohmann::json status = nlohmann::json::parse(info.output);
    QCOMPARE(status.at("region_vectors").get<int>(), report.at("regions").get<int>());
    bool found = false;
    for (const auto& m : status.at("models")) {
      if (m.at("name") != "dinov2-vits14") continue;
      found = true;
      QCOMPARE(m.at("kind").get<std::string>(), std::string("descriptor"));
      QCOMPARE(m.at("sha256").get<std::string>(), sha256HexOfFile(checkpoint));
      QCOMPARE(m.at("dim").get<int>(), 48);
    }
    QVERIFY2(found, info.output.c_str());
    QCOMPARE(status.at("active").at("descriptor").get<std::string>(), std::string("dinov2-vits14"));  // remembered
  }

  void ingestsWithTheModelChosenByModelsUse() {
    const auto shared = test::sharedDir();
    if (!shared) QSKIP("../shared is absent: the golden tiny checkpoint is needed");
    const fs::path models = root() / "chosen-models";
    fs::create_directories(models);
    fs::create_symlink(*shared / "golden" / "dinov2_tiny.pth", models / "dinov2_vits14_pretrain.pth");
    qputenv("REGIONLAB_MODEL_DIR", QByteArray::fromStdString(models.string()));
    const fs::path collection = makeCollection(root() / "chosen", 1);
    // `models use` saves the manifest's id (dinov2_vits14), which ingest must resolve to the preset.
    const auto use = test::runCommand(test::cliBinary().string(), {"models", "use", collection.string(), "dinov2_vits14"});
    QVERIFY2(use.exit_code == 0, use.error.c_str());
    const auto ingest = test::runCommand(test::cliBinary().string(), {"ingest", collection.string(), "--device", "cpu", "--precision", "fp32",
                                                                      "--threads", "1", "--quiet", "--json"});
    QVERIFY2(ingest.exit_code == 0, ingest.error.c_str());
    const nlohmann::json report = nlohmann::json::parse(ingest.output);
    QCOMPARE(report.at("done").get<int>(), 1);
    QVERIFY2(report.at("models").get<std::string>().find("descriptor: dinov2-vits14") != std::string::npos, ingest.output.c_str());
  }

  void missingCheckpointNamesFileAndFolder() {
    const fs::path empty = root() / "no-models";
    fs::create_directories(empty);
    qputenv("REGIONLAB_MODEL_DIR", QByteArray::fromStdString(empty.string()));
    const fs::path collection = makeCollection(root() / "other", 1);
    const auto ingest =
        test::runCommand(test::cliBinary().string(), {"ingest", collection.string(), "--descriptor", "dinov2-vitl14", "--quiet"});
    QCOMPARE(ingest.exit_code, 1);
    QVERIFY2(ingest.error.find("dinov2_vitl14_pretrain.pth") != std::string::npos && ingest.error.find(empty.string()) != std::string::npos &&
                 ingest.error.find("'classical' works without weights") != std::string::npos,
             ingest.error.c_str());

    // Without a choice the embedded default runs, and says that no DINOv2 checkpoint is configured.
    const auto fallback = test::runCommand(test::cliBinary().string(), {"ingest", collection.string(), "--quiet", "--json"});
    QVERIFY2(fallback.exit_code == 0, fallback.error.c_str());
    const std::string models = nlohmann::json::parse(fallback.output).at("models").get<std::string>();
    QVERIFY2(models.find("embedded default") != std::string::npos && models.find("no DINOv2 checkpoint configured") != std::string::npos,
             models.c_str());
  }
};

QTEST_GUILESS_MAIN(TestDinoV2Ingest)
#include "tst_dinov2_ingest.moc"
