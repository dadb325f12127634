// The fast pieces of the SAM encoders against the straightforward formulation of the official
// code, on random inputs of awkward sizes: the decomposed relative-position attention (global and
// windowed with padding, as segment-anything's Attention + window_partition compute it) and the
// channels-last depthwise convolution (against at::conv2d with groups = channels).
#include <cmath>

// ATen before Qt: Qt's "slots" macro would otherwise rewrite a member name in ATen's headers.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <QtTest>

#include "core/nets/depthwise_conv.h"
#include "core/nets/sam_attention.h"
#include "core/nets/sam_layers.h"

using namespace regionlab::nets;

namespace {

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

// segment-anything's Attention.forward on B×H×W×C tokens, written as the official code is:
// qkv → (q·scale)·kᵀ + decomposed rel-pos from the UNscaled q → softmax → ·v → heads side by side.
at::Tensor officialAttention(const at::Tensor& x, const at::Tensor& qkv_w, const at::Tensor& qkv_b, int heads, const at::Tensor& rel_pos_h,
                             const at::Tensor& rel_pos_w) {
  const int64_t b = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3), d = c / heads;
  const double scale = std::pow(double(d), -0.5);
  const at::Tensor qkv = at::linear(x, qkv_w, qkv_b).reshape({b, h * w, 3, heads, -1}).permute({2, 0, 3, 1, 4}).reshape({3, b * heads, h * w, -1});
  const at::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
  at::Tensor attn = at::matmul(q * scale, k.transpose(-2, -1));
  // get_rel_pos (no resize) + add_decomposed_rel_pos
  auto table = [](int64_t size, const at::Tensor& rel_pos) {
    const at::Tensor coords = at::arange(size, at::kLong);
    const at::Tensor index = coords.unsqueeze(1) - coords.unsqueeze(0) + (size - 1);
    return rel_pos.index_select(0, index.flatten()).view({size, size, -1});
  };
  const at::Tensor rh = table(h, rel_pos_h), rw = table(w, rel_pos_w);
  const at::Tensor r_q = q.reshape({b * heads, h, w, d});
  const at::Tensor rel_h = at::einsum("bhwc,hkc->bhwk", {r_q, rh});
  const at::Tensor rel_w = at::einsum("bhwc,wkc->bhwk", {r_q, rw});
  attn = (attn.view({b * heads, h, w, h, w}) + rel_h.unsqueeze(-1) + rel_w.unsqueeze(-2)).view({b * heads, h * w, h * w});
  attn = attn.softmax(-1);
  return at::matmul(attn, v).view({b, heads, h, w, d}).permute({0, 2, 3, 1, 4}).reshape({b, h, w, c});
}

// window_partition: zero padding at the bottom/right, then ws×ws windows.
at::Tensor officialWindowPartition(const at::Tensor& x, int64_t ws) {
  const int64_t b = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
  const int64_t ph = (ws - h % ws) % ws, pw = (ws - w % ws) % ws;
  const at::Tensor p = at::constant_pad_nd(x, {0, 0, 0, pw, 0, ph});
  const int64_t hp = h + ph, wp = w + pw;
  return p.view({b, hp / ws, ws, wp / ws, ws, c}).permute({0, 1, 3, 2, 4, 5}).contiguous().view({-1, ws, ws, c});
}

at::Tensor officialWindowUnpartition(const at::Tensor& windows, int64_t ws, int64_t b, int64_t h, int64_t w) {
  const int64_t hp = (h + ws - 1) / ws * ws, wp = (w + ws - 1) / ws * ws, c = windows.size(3);
  const at::Tensor x = windows.view({b, hp / ws, wp / ws, ws, ws, c}).permute({0, 1, 3, 2, 4, 5}).contiguous().view({b, hp, wp, c});
  return x.slice(1, 0, h).slice(2, 0, w);
}

struct Case {
  at::Tensor x, qkv_w, qkv_b, rel_pos_h, rel_pos_w;
  int heads;
};

Case randomCase(int64_t b, int64_t h, int64_t w, int64_t c, int heads, int64_t table_h, int64_t table_w, uint64_t seed) {
  at::manual_seed(seed);
  const int64_t d = c / heads;
  return {at::randn({b, h, w, c}), at::randn({3 * c, c}) * 0.3, at::randn({3 * c}) * 0.5, at::randn({2 * table_h - 1, d}) * 0.5,
          at::randn({2 * table_w - 1, d}) * 0.5, heads};
}

// Our inputs from the official weights: q's rows scaled, tables gathered and divided by the scale.
at::Tensor ourQkv(const Case& k, const at::Tensor& x) {
  const int64_t c = k.x.size(3);
  const double scale = std::pow(double(c / k.heads), -0.5);
  at::Tensor w = k.qkv_w.clone(), bias = k.qkv_b.clone();
  w.narrow(0, 0, c).mul_(scale);
  bias.narrow(0, 0, c).mul_(scale);
  return at::linear(x, w, bias);
}

at::Tensor scaledTable(const Case& k, int64_t size, const at::Tensor& rel_pos) {
  const double scale = std::pow(double(k.x.size(3) / k.heads), -0.5);
  return samRelativePositionTable(size, rel_pos / scale);
}

}  // namespace

class TestSamAttention : public QObject {
  Q_OBJECT

private slots:
  void initTestCase() { at::set_num_threads(2); }  // the parallel path splits (window, head) pairs

  // Global attention over a non-square grid (rows of queries processed in blocks).
  void globalMatchesOfficial_data() {
    QTest::addColumn<int>("h");
    QTest::addColumn<int>("w");
    QTest::newRow("5x7") << 5 << 7;
    QTest::newRow("48x40 (row blocks of 13 grid rows, the last partial)") << 48 << 40;
  }
  void globalMatchesOfficial() {
    QFETCH(int, h);
    QFETCH(int, w);
    const int64_t batch = h * w > 1000 ? 1 : 2;
    const Case k = randomCase(batch, h, w, 48, 3, h, w, uint64_t(h * 100 + w));
    const at::Tensor expected = officialAttention(k.x, k.qkv_w, k.qkv_b, k.heads, k.rel_pos_h, k.rel_pos_w);
    const at::Tensor qkv = ourQkv(k, k.x).view({batch, h * w, -1});
    const at::Tensor th = scaledTable(k, h, k.rel_pos_h), tw = scaledTable(k, w, k.rel_pos_w);
    const at::Tensor fused = samRelPosAttention(qkv, h, w, k.heads, th, tw).view({batch, h, w, -1});
    const at::Tensor batched = samRelPosAttentionBatched(qkv, h, w, k.heads, th, tw).view({batch, h, w, -1});
    const double fused_diff = maxAbsDiff(fused, expected), batched_diff = maxAbsDiff(batched, expected);
    qInfo("global %dx%d: fused max |diff| %.3g, batched %.3g (output max %.3g)", h, w, fused_diff, batched_diff,
          expected.abs().max().item<double>());
    // Outputs reach ~10 here: 3e-5 is a few float32 ulps of them (the scale folded into q and the
    // tables reorders the roundings); a wrong term or a misplaced row is off by 0.1 or more.
    QVERIFY(fused_diff < 3e-5);
    QVERIFY(batched_diff < 3e-5);
  }

  // Windowed attention on a grid that is not a multiple of the window: the official code pads
  // the normalised tokens with zeros; we pad the qkv rows with the layer's bias.
  void windowedWithPaddingMatchesOfficial() {
    const int64_t ws = 4, h = 9, w = 10, c = 32;
    const Case k = randomCase(1, h, w, c, 2, ws, ws, 7);
    const at::Tensor windows = officialWindowPartition(k.x, ws);
    const at::Tensor expected =
        officialWindowUnpartition(officialAttention(windows, k.qkv_w, k.qkv_b, k.heads, k.rel_pos_h, k.rel_pos_w), ws, 1, h, w);
    const at::Tensor qkv = ourQkv(k, k.x);
    const at::Tensor padded_qkv = ourQkv(k, at::zeros({c}));
    const at::Tensor our_windows = windowPartition(qkv, ws, padded_qkv);
    QCOMPARE(our_windows.size(0), int64_t(9));
    const at::Tensor attended =
        samRelPosAttention(our_windows, ws, ws, k.heads, scaledTable(k, ws, k.rel_pos_h), scaledTable(k, ws, k.rel_pos_w));
    const at::Tensor got = windowUnpartition(attended, ws, 1, h, w);
    const double diff = maxAbsDiff(got, expected);
    qInfo("windowed 9x10, window 4: max |diff| %.3g", diff);
    QVERIFY(diff < 1e-5);
  }

  void depthwiseMatchesConv2d_data() {
    QTest::addColumn<int>("h");
    QTest::addColumn<int>("w");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("stride");
    QTest::newRow("stride 1, 7x9x20") << 7 << 9 << 20 << 1;
    QTest::newRow("stride 2, 8x8x33") << 8 << 8 << 33 << 2;
    QTest::newRow("stride 2, odd 9x5x16") << 9 << 5 << 16 << 2;
  }
  void depthwiseMatchesConv2d() {
    QFETCH(int, h);
    QFETCH(int, w);
    QFETCH(int, channels);
    QFETCH(int, stride);
    at::manual_seed(uint64_t(h * w * channels));
    const at::Tensor x = at::randn({1, channels, h, w});
    const at::Tensor kernel = at::randn({channels, 1, 3, 3}), bias = at::randn({channels});
    const at::Tensor expected = at::conv2d(x, kernel, bias, {stride, stride}, {1, 1}, {1, 1}, channels);
    const at::Tensor rows = x.permute({0, 2, 3, 1}).contiguous();
    const at::Tensor taps = kernel.squeeze(1).permute({1, 2, 0}).contiguous();
    const DepthwiseConvShape shape{h, w, channels, stride};
    QCOMPARE(shape.outHeight(), expected.size(2));
    QCOMPARE(shape.outWidth(), expected.size(3));
    at::Tensor out = at::full({shape.outHeight(), shape.outWidth(), channels}, NAN);
    // In two calls, as threads split the rows.
    const int64_t half = shape.outHeight() / 2;
    depthwiseConv3x3(rows.data_ptr<float>(), shape, taps.data_ptr<float>(), bias.data_ptr<float>(), out.data_ptr<float>(), 0, half);
    depthwiseConv3x3(rows.data_ptr<float>(), shape, taps.data_ptr<float>(), bias.data_ptr<float>(), out.data_ptr<float>(), half,
                     shape.outHeight());
    const double diff = maxAbsDiff(out.permute({2, 0, 1}), expected[0]);
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
  }
};

QTEST_GUILESS_MAIN(TestSamAttention)
#include "tst_sam_attention.moc"
