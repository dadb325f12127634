// Base utilities: SHA-256 against FIPS 180-4 test vectors, fp16 conversion, the bounded queue.
#include <QtTest>

#include <cmath>
#include <string>
#include <thread>

#include "core/base/bounded_queue.h"
#include "core/base/half_float.h"
#include "core/base/sha256.h"

using namespace regionlab;

namespace {
std::string hashOf(const std::string& s) { return sha256Hex({reinterpret_cast<const uint8_t*>(s.data()), s.size()}); }
}  // namespace

class TestBase : public QObject {
  Q_OBJECT

private slots:
  void sha256MatchesStandardVectors() {
    QCOMPARE(hashOf(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(hashOf("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(hashOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    // One million 'a', fed in uneven pieces to exercise buffering.
    Sha256 h;
    const std::string chunk(997, 'a');
    size_t fed = 0;
    while (fed < 1000000) {
      const size_t n = std::min<size_t>(chunk.size(), 1000000 - fed);
      h.update(chunk.data(), n);
      fed += n;
    }
    QCOMPARE(h.hexDigest(), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
  }

  void halfFloatRoundTrips() {
    // Every half value converts to float and back unchanged (NaNs stay NaN).
    for (uint32_t h = 0; h < 0x10000; ++h) {
      const float f = halfToFloat(uint16_t(h));
      if (std::isnan(f)) {
        QVERIFY(std::isnan(halfToFloat(floatToHalf(f))));
        continue;
      }
      QCOMPARE(floatToHalf(f), uint16_t(h));
    }
    QCOMPARE(halfToFloat(floatToHalf(1.0f)), 1.0f);
    QCOMPARE(halfToFloat(floatToHalf(-2.5f)), -2.5f);
    QCOMPARE(halfToFloat(floatToHalf(65504.0f)), 65504.0f);
    QVERIFY(std::isinf(halfToFloat(floatToHalf(1e6f))));
    QCOMPARE(halfToFloat(floatToHalf(1e-9f)), 0.0f);
    // Round to nearest even: 1 + 2^-11 lies halfway between 1 and the next half; ties go to 1.
    QCOMPARE(halfToFloat(floatToHalf(1.0f + std::ldexp(1.0f, -11))), 1.0f);
    // Relative error of normal values stays within half an ulp (2^-11).
    for (float v = 1e-4f; v < 6e4f; v *= 1.37f) QVERIFY(std::abs(halfToFloat(floatToHalf(v)) - v) <= v * 4.9e-4f);
  }

  void boundedQueueBlocksAndDrains() {
    BoundedQueue<int> q(2);
    std::thread producer([&] {
      for (int i = 0; i < 100; ++i) QVERIFY(q.push(i));
      q.close();
    });
    int expected = 0;
    while (auto v = q.pop()) QCOMPARE(*v, expected++);
    producer.join();
    QCOMPARE(expected, 100);
    QVERIFY(!q.push(1));  // closed
  }

  void boundedQueueAbortWakesBlockedProducer() {
    BoundedQueue<int> q(1);
    QVERIFY(q.push(1));
    std::atomic<bool> returned{false};
    bool pushed = true;
    std::thread producer([&] {
      pushed = q.push(2);  // blocks: the queue is full
      returned = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    QVERIFY(!returned);
    q.abort();
    producer.join();
    QVERIFY(!pushed);
    QVERIFY(!q.pop().has_value());
  }
};

QTEST_APPLESS_MAIN(TestBase)
#include "tst_base.moc"
