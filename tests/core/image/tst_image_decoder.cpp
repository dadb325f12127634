// Decoding: every accepted layout becomes upright 8-bit RGB; every bad file is refused with an
// Error that names the file and says what is wrong.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/image/exif_orientation.h"
#include "core/image/image_decoder.h"
#include "core/image/image_header.h"
#include "tests/support/bad_input_files.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> encode(const std::string& ext, const cv::Mat& bgr) {
  std::vector<uint8_t> bytes;
  cv::imencode(ext, bgr, bytes);
  return bytes;
}

// An image whose top-left quadrant is red and the rest blue (BGR order for OpenCV writers).
cv::Mat markerImage(int w, int h) {
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(255, 0, 0));
  img(cv::Rect(0, 0, w / 2, h / 2)).setTo(cv::Scalar(0, 0, 255));
  return img;
}

bool isRed(const cv::Vec3b& rgb) { return rgb[0] > 200 && rgb[2] < 60; }

}  // namespace

class TestImageDecoder : public QObject {
  Q_OBJECT

private slots:
  void decodesTheGoodFilesOfTheCorpus() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    for (const auto& f : test::writeBadInputCorpus(dir)) {
      if (!f.should_ingest) continue;
      const Image img = decodeImageFile(dir / f.name);
      QCOMPARE(img.rgb.type(), CV_8UC3);
      QVERIFY(img.width() > 0 && img.height() > 0);
      QCOMPARE(img.sha256, sha256HexOfFile(dir / f.name));
    }
  }

  void refusesTheBadFilesWithFileAndReason() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    for (const auto& f : test::writeBadInputCorpus(dir)) {
      if (f.should_ingest) continue;
      try {
        decodeImageFile(dir / f.name);
        QFAIL(qPrintable(QString::fromStdString(f.name) + " was accepted"));
      } catch (const Error& e) {
        QCOMPARE(e.file(), dir / f.name);
        QVERIFY2(e.reason().find(f.reason_contains) != std::string::npos, e.what());
        QVERIFY(std::string(e.what()).find(f.name) != std::string::npos);
      }
    }
    QVERIFY_THROWS_EXCEPTION(Error, decodeImageFile(dir / "does-not-exist.jpg"));
    QVERIFY_THROWS_EXCEPTION(Error, decodeImageFile(dir));  // a folder
  }

  void convertsSixteenBitGreyAndAlpha() {
    cv::Mat deep(10, 12, CV_16UC3, cv::Scalar(65535, 32896, 0));  // BGR
    const Image a = decodeImageBytes(encode(".png", deep), "deep.png");
    QCOMPARE(a.rgb.at<cv::Vec3b>(5, 5), cv::Vec3b(0, 128, 255));

    cv::Mat grey(8, 8, CV_8U, cv::Scalar(77));
    const Image b = decodeImageBytes(encode(".png", grey), "grey.png");
    QCOMPARE(b.rgb.at<cv::Vec3b>(3, 3), cv::Vec3b(77, 77, 77));

    cv::Mat g(6, 6, CV_8U, cv::Scalar(90)), opacity(6, 6, CV_8U, cv::Scalar(255));
    opacity(cv::Rect(0, 0, 3, 6)).setTo(0);
    const auto ga = test::greyAlphaPng(g, opacity);
    const Image grey_alpha = decodeImageBytes(std::vector<uint8_t>(ga.begin(), ga.end()), "ga.png");
    QCOMPARE(grey_alpha.rgb.at<cv::Vec3b>(2, 1), cv::Vec3b(255, 255, 255));
    QCOMPARE(grey_alpha.rgb.at<cv::Vec3b>(2, 4), cv::Vec3b(90, 90, 90));

    cv::Mat bgra(8, 8, CV_8UC4, cv::Scalar(0, 0, 200, 255));
    bgra(cv::Rect(0, 0, 4, 8)).setTo(cv::Scalar(0, 0, 200, 0));  // left half transparent
    const Image c = decodeImageBytes(encode(".png", bgra), "alpha.png");
    QCOMPARE(c.rgb.at<cv::Vec3b>(2, 1), cv::Vec3b(255, 255, 255));  // composited over white
    QCOMPARE(c.rgb.at<cv::Vec3b>(2, 6), cv::Vec3b(200, 0, 0));
  }

  void appliesEveryExifOrientation() {
    // Stored 60x40 with the red quadrant top-left; orientation 6 means "rotate 90° clockwise to
    // display", so the displayed image is 40x60 with red at the top-right.
    const auto jpeg = encode(".jpg", markerImage(60, 40));
    QCOMPARE(readExifOrientation(test::jpegWithOrientation(jpeg, 6)), 6);
    const Image six = decodeImageBytes(test::jpegWithOrientation(jpeg, 6), "six.jpg");
    QCOMPARE(six.width(), 40);
    QCOMPARE(six.height(), 60);
    QCOMPARE(six.original_width, 40);
    QVERIFY(isRed(six.rgb.at<cv::Vec3b>(5, 35)));
    QVERIFY(!isRed(six.rgb.at<cv::Vec3b>(5, 5)));
    // Expected red corner for each orientation (x, y in the displayed image): EXIF semantics.
    const std::vector<std::pair<int, cv::Point>> corners = {{1, {5, 5}},  {2, {55, 5}},  {3, {55, 35}}, {4, {5, 35}},
                                                            {5, {5, 5}},  {6, {35, 5}},  {7, {35, 55}}, {8, {5, 55}}};
    for (const auto& [orientation, corner] : corners) {
      const Image img = decodeImageBytes(test::jpegWithOrientation(jpeg, orientation), "o.jpg");
      QVERIFY2(isRed(img.rgb.at<cv::Vec3b>(corner.y, corner.x)), qPrintable(QString("orientation %1").arg(orientation)));
    }
  }

  void enforcesThePixelLimitBeforeDecoding() {
    const auto jpeg = encode(".jpg", markerImage(400, 300));
    DecodeOptions limited;
    limited.max_pixels = 50'000;
    try {
      decodeImageBytes(jpeg, "big.jpg", limited);
      QFAIL("over-limit image accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("400x300") != std::string::npos, e.what());
      QVERIFY(std::string(e.what()).find("limit") != std::string::npos);
    }
    limited.downscale_large = true;
    const Image small = decodeImageBytes(jpeg, "big.jpg", limited);
    QVERIFY(int64_t(small.width()) * small.height() <= limited.max_pixels);
    QCOMPARE(small.original_width, 400);
    QVERIFY(small.downscaled());
    QVERIFY(std::abs(double(small.width()) / small.height() - 4.0 / 3.0) < 0.05);  // aspect kept
  }

  void readsHeadersWithoutDecoding() {
    const auto png = encode(".png", markerImage(33, 17));
    const ImageHeader h = readImageHeader(png);
    QCOMPARE(int(h.format), int(ImageFormat::Png));
    QCOMPARE(h.width, int64_t(33));
    QCOMPARE(h.height, int64_t(17));
    const auto jpeg = encode(".jpg", markerImage(35, 19));
    const ImageHeader j = readImageHeader(jpeg);
    QCOMPARE(j.width, int64_t(35));
    QCOMPARE(j.height, int64_t(19));
    QVERIFY(jpegHasEndOfImage(jpeg));
    std::vector<uint8_t> cut(jpeg.begin(), jpeg.end() - 10);
    QVERIFY(!jpegHasEndOfImage(cut));
    std::vector<uint8_t> png_cut(png.begin(), png.end() - 5);
    QVERIFY(pngHasEndChunk(png) && !pngHasEndChunk(png_cut));
  }
};

QTEST_APPLESS_MAIN(TestImageDecoder)
#include "tst_image_decoder.moc"
