// The model manager without a network: the built-in manifest, MD5, importing a file the user
// already has (copied or referenced), verification catching a changed file, and the
// per-collection choice of models with its reason.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <regex>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/models/md5.h"
#include "core/models/model_selection.h"
#include "core/models/model_store.h"
#include "core/storage/database.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

std::string md5Of(const std::string& s) {
  Md5 m;
  m.update(s.data(), s.size());
  return m.hexDigest();
}

ModelManifest tinyManifest(const std::string& bytes, bool publish_hash) {
  ModelManifestEntry e;
  e.id = "dinov2_tiny";
  e.kind = "descriptor";
  e.file = "dinov2_tiny.pth";
  e.url = "https://example.invalid/dinov2_tiny.pth";
  e.license = "Apache-2.0";
  if (publish_hash) e.sha256 = sha256Hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  ModelManifest m;
  m.models.push_back(e);
  return m;
}

void writeBytes(const fs::path& file, const std::string& bytes) { std::ofstream(file, std::ios::binary) << bytes; }

}  // namespace

class TestModelManager : public QObject {
  Q_OBJECT

private slots:
  void md5MatchesRfc1321Vectors() {
    QCOMPARE(md5Of(""), std::string("d41d8cd98f00b204e9800998ecf8427e"));
    QCOMPARE(md5Of("abc"), std::string("900150983cd24fb0d6963f7d28e17f72"));
    QCOMPARE(md5Of("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
             std::string("57edf4a22be3c955ac49da2e2107b67a"));
  }

  void builtInManifestListsEveryCheckpoint() {
    qunsetenv("REGIONLAB_MANIFEST");
    const ModelManifest m = loadModelManifest();
    for (const char* id : {"sam_vit_b", "sam_vit_l", "sam_vit_h", "mobile_sam", "dinov2_vits14", "dinov2_vits14_reg", "dinov2_vitb14",
                           "dinov2_vitb14_reg", "dinov2_vitl14", "dinov2_vitl14_reg", "dinov2_vitg14", "dinov2_vitg14_reg", "image_gsv",
                           "image_merged"}) {
      const ModelManifestEntry* e = m.find(id);
      QVERIFY2(e, id);
      QVERIFY(e->url.rfind("https://", 0) == 0);
      QVERIFY(e->url.size() > e->file.size() && e->url.compare(e->url.size() - e->file.size(), e->file.size(), e->file) == 0);
      QVERIFY(!e->license.empty());
    }
    // SAM's file names carry the first 6 hex digits of the published MD5.
    const std::regex sam("sam_vit_[blh]_([0-9a-f]{6})\\.pth");
    for (const char* id : {"sam_vit_b", "sam_vit_l", "sam_vit_h"}) {
      std::smatch match;
      const ModelManifestEntry& e = m.require(id);
      QVERIFY(std::regex_match(e.file, match, sam));
      QCOMPARE(e.md5.substr(0, 6), match[1].str());
      QVERIFY(e.size.has_value());
    }
    QCOMPARE(m.require("sam_vit_b_01ec64.pth").id, std::string("sam_vit_b"));  // found by file name too
  }

  void importCopiesVerifiesAndRecords() {
    QTemporaryDir dir;
    const fs::path d(dir.path().toStdString());
    const std::string bytes(5000, 'x');
    writeBytes(d / "download.pth", bytes);
    ModelStore store(d / "models", tinyManifest(bytes, true));
    const ModelStatus s = store.importFile("dinov2_tiny", d / "download.pth", ImportMode::Copy);
    QCOMPARE(s.state, ModelFileState::Verified);
    QVERIFY(!fs::is_symlink(s.path));
    QCOMPARE(s.record->basis, std::string("published sha256"));

    writeBytes(d / "other.pth", std::string(5000, 'y'));
    try {
      store.importFile("dinov2_tiny", d / "other.pth", ImportMode::Copy);
      QFAIL("a file with the wrong hash must be refused");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("does not match the published") != std::string::npos, e.what());
    }
    QCOMPARE(sha256HexOfFile(s.path), store.status("dinov2_tiny").record->sha256);  // the good file stays
  }

  void referencedImportAndFirstUseRecord() {
    QTemporaryDir dir;
    const fs::path d(dir.path().toStdString());
    const std::string bytes(3000, 'z');
    writeBytes(d / "mine.pth", bytes);
    ModelStore store(d / "models", tinyManifest(bytes, false));  // no published hash (like DINOv2)
    ModelStatus s = store.importFile("dinov2_tiny", d / "mine.pth", ImportMode::Reference);
    QVERIFY(fs::is_symlink(s.path));
    QCOMPARE(s.state, ModelFileState::Verified);
    QCOMPARE(s.record->basis, std::string("first use (no published hash)"));

    // The file changes behind our back (same size): verify catches it against the record.
    writeBytes(d / "mine.pth", std::string(3000, 'q'));
    s = store.verify("dinov2_tiny");
    QCOMPARE(s.state, ModelFileState::Mismatch);
    QVERIFY2(s.detail.find("recorded when") != std::string::npos, s.detail.c_str());
  }

  void selectionNeedsTheCheckpointAndSaysWhy() {
    QTemporaryDir dir;
    const fs::path d(dir.path().toStdString());
    auto db = Database::open(d / "regionlab.db");
    const std::string bytes(2000, 'w');
    ModelStore store(d / "models", tinyManifest(bytes, false));
    for (const ModelSelection& s : readModelSelections(*db, store)) {
      QVERIFY(!s.explicit_choice);
      QVERIFY(s.reason.find("embedded default") != std::string::npos);
    }
    try {
      selectModel(*db, store, "dinov2_tiny");
      QFAIL("a missing checkpoint cannot be selected");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("models import dinov2_tiny <file>") != std::string::npos, e.what());
    }
    writeBytes(d / "w.pth", bytes);
    store.importFile("dinov2_tiny", d / "w.pth", ImportMode::Copy);
    const ModelSelection chosen = selectModel(*db, store, "dinov2_tiny");
    QCOMPARE(chosen.kind, std::string("descriptor"));
    QVERIFY(chosen.explicit_choice);
    QVERIFY(chosen.reason.find("verified") != std::string::npos);
    QCOMPARE(db->readSetting("descriptor").value_or(""), std::string("dinov2_tiny"));
    QVERIFY(errorOf_([&] { selectModel(*db, store, "dinov2_tiny", "global"); }));
    resetModelSelection(*db, "descriptor");
    QVERIFY(!db->readSetting("descriptor"));
    selectModel(*db, store, "bovw", "global");
    QCOMPARE(db->readSetting("global_descriptor").value_or(""), std::string("bovw"));
  }

private:
  static bool errorOf_(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error&) {
      return true;
    }
    return false;
  }
};

QTEST_APPLESS_MAIN(TestModelManager)
#include "tst_model_manager.moc"
