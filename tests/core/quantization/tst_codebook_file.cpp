// The DRQ codebook file (core/quantization/codebook_file.h): a saved codebook loads back
// identical (same id, same codes), and damaged files are refused with a clear reason.
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/quantization/codebook_file.h"
#include "tests/core/quantization/mixture.h"

using namespace regionlab;

namespace {

DrqCodebook smallCodebook() {
  const auto m = test::gaussianMixture(24, 16, 3000, 1.0f, 0.2f, 21);
  DrqCodebookOptions o;
  o.books = 2;
  o.chunk_dim = 16;  // 24-d → PCA → 2 × 16 (padded)
  o.root_bits = 6;
  o.pca = true;
  return DrqCodebook::train(m.points.data(), 3000, 24, o);
}

std::vector<uint8_t> readBytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const std::filesystem::path& file, const std::vector<uint8_t>& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// Replaces the SHA-256 trailer so that a deliberately inconsistent body passes the checksum.
void resign(std::vector<uint8_t>& bytes) {
  Sha256 h;
  h.update(bytes.data(), bytes.size() - 32);
  const auto digest = h.digest();
  std::copy(digest.begin(), digest.end(), bytes.end() - 32);
}

QString failureOf(const std::filesystem::path& file) {
  try {
    readCodebookFile(file);
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

class TestCodebookFile : public QObject {
  Q_OBJECT

private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    codebook_ = smallCodebook();
    file_ = std::filesystem::path(dir_.path().toStdString()) / "codebook.drq";
    writeCodebookFile(codebook_, file_);
  }

  void roundTrips() {
    const DrqCodebook loaded = readCodebookFile(file_);
    QCOMPARE(loaded.id(), codebook_.id());
    QCOMPARE(loaded.books(), 2);
    QCOMPARE(loaded.chunkDim(), 16);
    QCOMPARE(loaded.inputDim(), 24);
    QVERIFY(loaded.transform().hasRotation());
    QVERIFY(encodeCodebook(loaded) == readBytes(file_));
    const auto m = test::gaussianMixture(24, 16, 500, 1.0f, 0.3f, 22);
    for (size_t i = 0; i < 500; ++i) {
      uint16_t a[2], b[2];
      for (const EncodeMode mode : {EncodeMode::Exact, EncodeMode::Approximate, EncodeMode::Fast}) {
        codebook_.encode(m.points.data() + i * 24, a, mode);
        loaded.encode(m.points.data() + i * 24, b, mode);
        QVERIFY(a[0] == b[0] && a[1] == b[1]);
      }
      std::vector<float> x(24), y(24);
      codebook_.decode(a, x.data());
      loaded.decode(a, y.data());
      QVERIFY(x == y);
    }
  }

  // Exact-only codebooks (the shipped texture vocabulary): much smaller, same exact codes.
  void roundTripsWithoutLookupTables() {
    const DrqCodebook compact = codebook_.withoutLookupTables();
    QVERIFY(!compact.hasLookupTables());
    QVERIFY(compact.id() != codebook_.id());
    QVERIFY(encodeCodebook(compact).size() * 4 < encodeCodebook(codebook_).size());
    const auto file = std::filesystem::path(dir_.path().toStdString()) / "compact.drq";
    writeCodebookFile(compact, file);
    const DrqCodebook loaded = readCodebookFile(file);
    QCOMPARE(loaded.id(), compact.id());
    const auto m = test::gaussianMixture(24, 16, 200, 1.0f, 0.3f, 23);
    for (size_t i = 0; i < 200; ++i) {
      uint16_t a[2], b[2];
      codebook_.encode(m.points.data() + i * 24, a, EncodeMode::Exact);
      loaded.encode(m.points.data() + i * 24, b, EncodeMode::Exact);
      QVERIFY(a[0] == b[0] && a[1] == b[1]);
    }
    QVERIFY_THROWS_EXCEPTION(Error, loaded.encode(m.points.data(), nullptr, EncodeMode::Fast));
  }

  // Member means travel with the file (decode above compares them, version 2); a codebook
  // without them is written as version 1, the layout from before member means, and reads back.
  void readsVersionOneFiles() {
    QVERIFY(codebook_.hasMemberMeans());
    QVERIFY(readCodebookFile(file_).hasMemberMeans());
    const auto m = test::gaussianMixture(24, 16, 3000, 1.0f, 0.2f, 21);
    DrqCodebookOptions o;
    o.books = 2;
    o.chunk_dim = 16;
    o.root_bits = 6;
    o.pca = true;
    o.member_means = false;
    const DrqCodebook plain = DrqCodebook::train(m.points.data(), 3000, 24, o);
    const std::vector<uint8_t> bytes = encodeCodebook(plain);
    QVERIFY(bytes.size() < encodeCodebook(codebook_).size());
    QCOMPARE(int(bytes[8]), 1);
    QCOMPARE(int(readBytes(file_)[8]), 2);
    const auto file = std::filesystem::path(dir_.path().toStdString()) / "version1.drq";
    writeBytes(file, bytes);
    const DrqCodebook loaded = readCodebookFile(file);
    QVERIFY(!loaded.hasMemberMeans());
    QCOMPARE(loaded.id(), plain.id());
    for (size_t i = 0; i < 100; ++i) {
      uint16_t a[2], b[2];
      plain.encode(m.points.data() + i * 24, a, EncodeMode::Exact);
      loaded.encode(m.points.data() + i * 24, b, EncodeMode::Exact);
      QVERIFY(a[0] == b[0] && a[1] == b[1]);
    }
    // Version 1 knew no member means: the flag is refused there.
    std::vector<uint8_t> with_means = readBytes(file_);
    with_means[8] = 1;
    resign(with_means);
    writeBytes(file, with_means);
    QVERIFY(failureOf(file).contains("unknown flags"));
  }

  void refusesDamagedFiles_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << "empty" << "not a RegionLab DRQ codebook";
    QTest::newRow("magic") << "magic" << "not a RegionLab DRQ codebook";
    QTest::newRow("version") << "version" << "format version 7 is not supported";
    QTest::newRow("flipped byte") << "flip" << "checksum mismatch";
    QTest::newRow("truncated") << "truncate" << "checksum mismatch";
    QTest::newRow("code out of range, re-signed") << "code" << "damaged DRQ codebook";
    QTest::newRow("truncated, re-signed") << "cut" << "truncated while reading";
    QTest::newRow("trailing bytes, re-signed") << "extend" << "unexpected bytes";
  }
  void refusesDamagedFiles() {
    QFETCH(QString, damage);
    QFETCH(QString, reason);
    std::vector<uint8_t> bytes = readBytes(file_);
    if (damage == "empty") bytes.clear();
    if (damage == "magic") bytes[0] = 'X';
    if (damage == "version") bytes[8] = 7;
    if (damage == "flip") bytes[bytes.size() / 2] ^= 0x40;
    if (damage == "truncate") bytes.resize(bytes.size() - 100);
    if (damage == "code") {
      // Book 0's root is the first node whose child indices are the root's: its code0[0]
      // follows them. Point it outside the child grid.
      const DrqNode& root = codebook_.book(0).root();
      const int32_t header[2] = {root.child0, root.child1};
      const auto* h = reinterpret_cast<const uint8_t*>(header);
      const auto it = std::search(bytes.begin(), bytes.end(), h, h + sizeof(header));
      QVERIFY(it != bytes.end());
      const size_t at = size_t(it - bytes.begin()) + sizeof(header);
      const uint16_t bad = 60000;
      std::memcpy(bytes.data() + at, &bad, 2);
      resign(bytes);
    }
    if (damage == "cut") {
      bytes.erase(bytes.end() - 32 - 10, bytes.end() - 32);
      resign(bytes);
    }
    if (damage == "extend") {
      bytes.insert(bytes.end() - 32, 5, uint8_t(0));
      resign(bytes);
    }
    const auto damaged = std::filesystem::path(dir_.path().toStdString()) / ("damaged-" + damage.toStdString() + ".drq");
    writeBytes(damaged, bytes);
    const QString failure = failureOf(damaged);
    QVERIFY2(failure.contains(reason), qPrintable("got: " + failure));
    QVERIFY2(failure.contains(QString::fromStdString(damaged.filename().string())), "the error names the file");
  }

  void missingFileIsAnError() {
    QVERIFY(failureOf(std::filesystem::path(dir_.path().toStdString()) / "absent.drq").contains("cannot open"));
  }

private:
  QTemporaryDir dir_;
  DrqCodebook codebook_;
  std::filesystem::path file_;
};

QTEST_APPLESS_MAIN(TestCodebookFile)
#include "tst_codebook_file.moc"
