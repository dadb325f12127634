// The model downloader against a real HTTP server on 127.0.0.1 started by the test, serving a
// golden checkpoint: verified download, interrupted download resumed with a Range request, a
// server that ignores Range, checksum and size mismatches, cancel, disk full (too little space,
// and a real write failure under RLIMIT_FSIZE), and the message when the server is unreachable.
#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>

#include <fstream>
#include <sstream>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/models/md5.h"
#include "core/models/model_store.h"
#include "tests/core/models/local_http_server.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

// The golden SAM checkpoint when ../shared is there (a real torch.save file), else seeded bytes.
std::string goldenCheckpoint() {
  if (const auto shared = test::sharedDir(); shared && fs::exists(*shared / "golden" / "sam_tiny.pth")) {
    std::ifstream in(*shared / "golden" / "sam_tiny.pth", std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string bytes(900000, '\0');
  uint32_t x = 12345;
  for (char& c : bytes) c = char((x = x * 1664525u + 1013904223u) >> 24);
  return bytes;
}

std::string sha256Of(const std::string& bytes) { return sha256Hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}); }

ModelManifest manifestFor(const std::string& url, const std::string& bytes, const std::string& sha256, const std::string& md5 = "") {
  ModelManifestEntry e;
  e.id = "golden_sam";
  e.kind = "region_generator";
  e.file = "sam_tiny.pth";
  e.url = url;
  e.size = int64_t(bytes.size());
  e.sha256 = sha256;
  e.md5 = md5;
  e.license = "Apache-2.0";
  ModelManifest m;
  m.models.push_back(e);
  return m;
}

QString errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

class TestModelDownloads : public QObject {
  Q_OBJECT

  std::string bytes_;

private slots:
  void initTestCase() {
    // The test server is local: never send its requests through a proxy from the environment.
    qputenv("no_proxy", "127.0.0.1,localhost");
    qputenv("NO_PROXY", "127.0.0.1,localhost");
    bytes_ = goldenCheckpoint();
    QVERIFY(bytes_.size() > 500000);
  }

  void downloadsVerifiesAndRecords() {
    test::LocalHttpServer server({{"/sam_tiny.pth", bytes_}});
    QTemporaryDir dir;
    ModelStore store(dir.path().toStdString(), manifestFor(server.url("/sam_tiny.pth"), bytes_, sha256Of(bytes_)));
    std::vector<int64_t> seen;
    DownloadOptions options;
    options.progress = [&](const DownloadProgress& p) {
      seen.push_back(p.received);
      if (p.total != 0 && p.total != int64_t(bytes_.size())) return false;
      return true;
    };
    const ModelStatus status = store.download("golden_sam", options);
    QCOMPARE(status.state, ModelFileState::Verified);
    QVERIFY(!fs::exists(status.path.string() + ".part"));
    QCOMPARE(sha256HexOfFile(status.path), sha256Of(bytes_));
    QVERIFY(status.record && status.record->sha256 == sha256Of(bytes_));
    QCOMPARE(status.record->basis, std::string("published sha256"));
    QVERIFY(!seen.empty());
    QCOMPARE(seen.back(), int64_t(bytes_.size()));
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
  }

  void interruptedDownloadResumesWithRange() {
    test::HttpServerBehaviour cut;
    cut.cut_after_bytes = 300000;
    test::LocalHttpServer server({{"/sam_tiny.pth", bytes_}}, cut);
    QTemporaryDir dir;
    ModelStore store(dir.path().toStdString(), manifestFor(server.url("/sam_tiny.pth"), bytes_, sha256Of(bytes_)));
    const QString error = errorOf([&] { store.download("golden_sam"); });
    QVERIFY2(error.contains("interrupted") && error.contains("resume"), qPrintable(error));
    const fs::path part = fs::path(dir.path().toStdString()) / "sam_tiny.pth.part";
    QCOMPARE(int64_t(fs::file_size(part)), int64_t(300000));
    QCOMPARE(store.status("golden_sam").state, ModelFileState::Partial);

    const ModelStatus status = store.download("golden_sam");
    QCOMPARE(status.state, ModelFileState::Verified);
    QCOMPARE(server.rangeHeaders(), (std::vector<std::string>{"", "bytes=300000-"}));
    QCOMPARE(sha256HexOfFile(status.path), sha256Of(bytes_));
  }

  void serverIgnoringRangeStartsAgain() {
    test::HttpServerBehaviour no_range;
    no_range.support_range = false;
    no_range.cut_after_bytes = 200000;
    test::LocalHttpServer server({{"/sam_tiny.pth", bytes_}}, no_range);
    QTemporaryDir dir;
    ModelStore store(dir.path().toStdString(), manifestFor(server.url("/sam_tiny.pth"), bytes_, sha256Of(bytes_)));
    QVERIFY(!errorOf([&] { store.download("golden_sam"); }).isEmpty());
    const ModelStatus status = store.download("golden_sam");  // answered 200 to the Range: rewritten from byte 0
    QCOMPARE(status.state, ModelFileState::Verified);
    QCOMPARE(int64_t(fs::file_size(status.path)), int64_t(bytes_.size()));
  }

  void checksumMismatchDeletesTheFile() {
    test::LocalHttpServer server({{"/sam_tiny.pth", bytes_}});
    QTemporaryDir dir;
    const std::string wrong(64, 'a');
    ModelStore store(dir.path().toStdString(), manifestFor(server.url("/sam_tiny.pth"), bytes_, wrong));
    const QString error = errorOf([&] { store.download("golden_sam"); });
    QVERIFY2(error.contains("SHA-256 mismatch") && error.contains("deleted"), qPrintable(error));
    QCOMPARE(store.status("golden_sam").state, ModelFileState::Missing);
    QVERIFY(!fs::exists(fs::path(dir.path().toStdString()) / "sam_tiny.pth.part"));
  }

  void publishedMd5IsChecked() {
    test::LocalHttpServer server({{"/sam_tiny.pth", bytes_}});
    Md5 md5;
    md5.update(bytes_.data(), bytes_.size());
    const std::string right = md5.hexDigest();
    QTemporaryDir dir;
    ModelStore good(dir.path().toStdString(), manifestFor(server.url("/sam_tiny.pth"), bytes_, "", right));
    const ModelStatus status = good.download("golden_sam");
    QCOMPARE(status.state, ModelFileState::Verified);
    QCOMPARE(status.record->basis, std::string("published md5"));
    QCOMPARE(status.record->sha256, sha256Of(bytes_));  // the full SHA-256 recorded at first download

    QTemporaryDir other;
    ModelStore bad(other.path().toStdString(), manifestFor(server.url("/sam_tiny.pth"), bytes_, "", std::string(32, '0')));
    QVERIFY(errorOf([&] { bad.download("golden_sam"); }).contains("MD5 mismatch"));
  }

  void cancelKeepsThePart() {
    test::LocalHttpServer server({{"/sam_tiny.pth", bytes_}});
    QTemporaryDir dir;
    ModelStore store(dir.path().toStdString(), manifestFor(server.url("/sam_tiny.pth"), bytes_, sha256Of(bytes_)));
    DownloadOptions options;
    options.progress = [](const DownloadProgress& p) { return p.received == 0; };
    const QString error = errorOf([&] { store.download("golden_sam", options); });
    QVERIFY2(error.contains("cancelled"), qPrintable(error));
    QCOMPARE(store.status("golden_sam").state == ModelFileState::Missing || store.status("golden_sam").state == ModelFileState::Partial, true);
  }

  void tooLittleDiskSpaceIsRefusedBeforeDownloading() {
    test::LocalHttpServer server({{"/sam_tiny.pth", bytes_}});
    QTemporaryDir dir;
    ModelManifest m = manifestFor(server.url("/sam_tiny.pth"), bytes_, sha256Of(bytes_));
    m.models[0].size = int64_t(1) << 60;  // an exabyte
    ModelStore store(dir.path().toStdString(), m);
    const QString error = errorOf([&] { store.download("golden_sam"); });
    QVERIFY2(error.contains("not enough disk space"), qPrintable(error));
    QVERIFY(server.rangeHeaders().empty());  // nothing was requested
  }

  void writeFailureIsReportedAsDiskFull() {
    test::LocalHttpServer server({{"/sam_tiny.pth", bytes_}});
    QTemporaryDir dir;
    ModelStore store(dir.path().toStdString(), manifestFor(server.url("/sam_tiny.pth"), bytes_, sha256Of(bytes_)));
    // RLIMIT_FSIZE makes the kernel refuse writes past 100 kB (EFBIG), as a full disk would.
    rlimit old{};
    getrlimit(RLIMIT_FSIZE, &old);
    rlimit low = old;
    low.rlim_cur = 100000;
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &low), 0);
    const QString error = errorOf([&] { store.download("golden_sam"); });
    setrlimit(RLIMIT_FSIZE, &old);
    QVERIFY2(error.contains("disk full") && error.contains("resume"), qPrintable(error));
    QCOMPARE(store.status("golden_sam").state, ModelFileState::Partial);
    QCOMPARE(store.download("golden_sam").state, ModelFileState::Verified);  // resumes once there is room
  }

  void unreachableServerSaysHowToImport() {
    int port = 0;
    {
      test::LocalHttpServer probe({});
      port = std::stoi(probe.url("").substr(std::string("http://127.0.0.1:").size()));
    }  // closed: nothing listens there now
    QTemporaryDir dir;
    ModelStore store(dir.path().toStdString(), manifestFor("http://127.0.0.1:" + std::to_string(port) + "/sam_tiny.pth", bytes_, sha256Of(bytes_)));
    const QString error = errorOf([&] { store.download("golden_sam"); });
    QVERIFY2(error.contains("offline") && error.contains("regionlab-cli models import golden_sam <file>"), qPrintable(error));
  }
};

QTEST_GUILESS_MAIN(TestModelDownloads)
#include "tst_model_downloads.moc"
