// The checkpoint reader: official-format files load (the golden checkpoints written by
// torch.save), values and views are right, hostile pickles are refused, and damaged files fail
// with an Error naming the file and the reason, never a crash.
#include <fstream>
#include <random>

// ATen before Qt: Qt's "slots" macro would otherwise rewrite a member name in ATen's headers.
#include <ATen/ATen.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <QtTest>

#include "core/base/error.h"
#include "core/nets/checkpoint_archive.h"
#include "core/nets/state_dict.h"
#include "tests/core/nets/torch_save_writer.h"
#include "tests/support/error_message.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
using namespace regionlab::nets;
namespace fs = std::filesystem;
using regionlab::test::errorOf;

namespace {

std::string readFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void writeFile(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}


// A pickle that, unpickled by Python, would run `module.name("echo pwned")`.
std::string maliciousPickle(int protocol, const std::string& module, const std::string& name) {
  return test::PickleWriter(protocol).global(module, name).str("echo pwned").op(char(0x85)).op('R').bytes();
}

void writeCheckpoint(const fs::path& file, const std::string& pickle, std::vector<test::ZipEntry> storages = {}) {
  std::vector<test::ZipEntry> entries = {{"archive/data.pkl", pickle}};
  for (auto& s : storages) entries.push_back(std::move(s));
  entries.push_back({"archive/version", "3\n"});
  test::writeStoredZip(file, entries);
}

StateDictOptions verified(bool verify) {
  StateDictOptions options;
  options.verify_checksums = verify;
  return options;
}

template <typename T>
std::string bytesOf(const std::vector<T>& values) {
  return {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)};
}

}  // namespace

class TestCheckpointReader : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  fs::path tmp(const std::string& name) const { return fs::path(tmp_.path().toStdString()) / name; }

private slots:
  void loadsEveryGoldenCheckpoint() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    int files = 0;
    for (const auto& entry : fs::directory_iterator(golden)) {
      if (entry.path().extension() != ".pth") continue;
      const StateDict w = StateDict::load(entry.path());
      QVERIFY2(w.size() > 0, entry.path().c_str());
      for (const std::string& key : w.keys()) QVERIFY(w.tensor(key).defined());
      ++files;
    }
    QVERIFY(files >= 12);
    const StateDict dino = StateDict::load(golden / "dinov2_tiny.pth");
    QCOMPARE(dino.size(), size_t(49));
    QCOMPARE(dino.shape("pos_embed"), (std::vector<int64_t>{1, 1370, 48}));
    QCOMPARE(dino.countIndexed("blocks."), 3);
    QCOMPARE(StateDict::load(golden / "sam_tiny.pth").size(), size_t(174));
  }

  // Sums and end values computed with torch.load in Python 1.13 from the same files.
  void valuesMatchTorchLoad_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("dtype");
    QTest::addColumn<std::vector<int64_t>>("shape");
    QTest::addColumn<double>("sum");
    QTest::addColumn<double>("first");
    QTest::addColumn<double>("last");
    auto row = [](const char* file, const char* key, at::ScalarType type, std::vector<int64_t> shape, double sum, double first, double last) {
      QTest::newRow((std::string(file) + ":" + key).c_str()) << file << key << int(type) << shape << sum << first << last;
    };
    row("dinov2_tiny.pth", "pos_embed", at::kFloat, {1, 1370, 48}, 1.8183877085228914, 0.07992488145828247, 0.05916358903050423);
    row("dinov2_tiny.pth", "blocks.2.ls2.gamma", at::kFloat, {48}, 0.6393627909710631, 0.03718888387084007, 0.03193436190485954);
    row("dinov2_tiny_reg.pth", "register_tokens", at::kFloat, {1, 4, 48}, 0.07247762306360528, 0.05084117129445076, -0.0033944908063858747);
    row("dinov2_tiny_swiglu.pth", "blocks.1.mlp.w12.weight", at::kFloat, {256, 48}, -1.5622362837239052, 0.09367719292640686,
        -0.06412708014249802);
    row("sam_tiny.expected.pth", "point_fg.masks_logits", at::kHalf, {3, 426, 640}, 388329.5537109375, 2.86328125, 2.708984375);
    row("sam_tiny.expected.pth", "box.box", at::kDouble, {4}, 1108.6000000000001, 128.0, 383.40000000000003);
    row("dinov2_tiny.expected.pth", "cls", at::kFloat, {1, 48}, 0.4656626738142222, 1.266133427619934, 0.560847818851471);
    row("dinov2_tiny.expected.pth", "patch", at::kFloat, {1, 192, 48}, 0.7244430362879939, -0.09716224670410156, 1.5861940383911133);
    // Wrapped as ImAge saves it: {"epoch", "model_state_dict": {"module." + key: …}, "best_r5"}.
    row("image_tiny.pth", "learnable_aggregation_tokens", at::kFloat, {1, 3, 48}, 0.2977512242650846, -0.023579975590109825,
        0.004259070381522179);
    row("mobile_sam_tiny.pth", "image_encoder.patch_embed.seq.0.bn.num_batches_tracked", at::kLong, {}, 0, 0, 0);
  }
  void valuesMatchTorchLoad() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    QFETCH(QString, file);
    QFETCH(QString, key);
    QFETCH(int, dtype);
    QFETCH(std::vector<int64_t>, shape);
    QFETCH(double, sum);
    QFETCH(double, first);
    QFETCH(double, last);
    const StateDict w = StateDict::load(golden / file.toStdString());
    const at::Tensor& t = w.tensor(key.toStdString(), shape);
    QCOMPARE(int(t.scalar_type()), dtype);
    const at::Tensor flat = t.to(at::kDouble).reshape({-1});
    QVERIFY(std::abs(flat.sum().item<double>() - sum) <= 1e-9 * std::max(1.0, std::abs(sum)));
    QCOMPARE(flat[0].item<double>(), first);
    QCOMPARE(flat[-1].item<double>(), last);
  }

  void repeatedTensorsAreEqualAcrossFiles() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    // The three DINOv2 references were computed from one input; SAM and MobileSAM from one set of prompts.
    const at::Tensor input = StateDict::load(golden / "dinov2_tiny.expected.pth").tensor("input", {1, 3, 168, 224});
    for (const char* f : {"dinov2_tiny_reg.expected.pth", "dinov2_tiny_swiglu.expected.pth"}) {
      QVERIFY(at::equal(StateDict::load(golden / f).tensor("input"), input));
    }
    const StateDict sam = StateDict::load(golden / "sam_tiny.expected.pth");
    const StateDict mobile = StateDict::load(golden / "mobile_sam_tiny.expected.pth");
    for (const char* k : {"point_fg.point_coords", "points_fg_bg.point_labels", "box.box"}) QVERIFY(at::equal(sam.tensor(k), mobile.tensor(k)));
  }

  void viewsShareTheirStorage() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    // cls = x_norm[:, 0] and patch = x_norm[:, 1:] are views of one storage in the file.
    const StateDict e = StateDict::load(golden / "dinov2_tiny.expected.pth");
    const at::Tensor& cls = e.tensor("cls");
    const at::Tensor& patch = e.tensor("patch");
    QVERIFY(cls.storage().data() == patch.storage().data());
    QCOMPARE(cls.storage_offset(), int64_t(0));
    QCOMPARE(patch.storage_offset(), int64_t(48));
    QCOMPARE(cls.stride(0), int64_t(9264));
  }

  void releasedPagesAreReadAgainFromTheFile() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    const StateDict w = StateDict::load(golden / "dinov2_tiny.pth");
    const at::Tensor before = w.tensor("pos_embed").clone();
    w.scope("blocks.0.").releaseMappedPages();
    w.releaseMappedPages();
    QVERIFY(at::equal(w.tensor("pos_embed"), before));
    QCOMPARE(w.tensor("blocks.0.ls1.gamma").sizes().vec(), (std::vector<int64_t>{48}));
  }

  void stripsModulePrefixAndFindsWrappedStateDict() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    const StateDict image = StateDict::load(golden / "image_tiny.pth");
    QVERIFY(image.contains("backbone.cls_token"));
    QVERIFY(!image.contains("module.backbone.cls_token"));
    const StateDict backbone = image.scope("backbone.");
    QCOMPARE(backbone.shape("pos_embed"), (std::vector<int64_t>{1, 1370, 48}));
    QCOMPARE(backbone.countIndexed("blocks."), 4);
    const QString err = QString::fromStdString(errorOf([&] { backbone.tensor("blocks.9.norm1.weight"); }));
    QVERIFY2(err.contains("missing tensor 'backbone.blocks.9.norm1.weight'"), qPrintable(err));
    const QString wrong = QString::fromStdString(errorOf([&] { StateDict::load(golden / "image_tiny.pth", StateDictOptions{.entry = "optimizer"}); }));
    QVERIFY2(wrong.contains("no entry 'optimizer'"), qPrintable(wrong));
  }

  void missingKeyAndWrongShapeNameFileAndShapes() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    const StateDict w = StateDict::load(golden / "dinov2_tiny.pth");
    const QString shape = QString::fromStdString(errorOf([&] { w.tensor("pos_embed", {1, 1370, 64}); }));
    QVERIFY2(shape.contains("dinov2_tiny.pth") && shape.contains("'pos_embed' has shape [1, 1370, 48], expected [1, 1370, 64]"),
             qPrintable(shape));
    const QString any = QString::fromStdString(errorOf([&] { w.tensor("blocks.0.attn.qkv.weight", {-1, 64}); }));
    QVERIFY2(any.contains("expected [*, 64]"), qPrintable(any));
    const QString missing = QString::fromStdString(errorOf([&] { w.tensor("blocks.1.attn.qkv.wieght"); }));
    QVERIFY2(missing.contains("missing tensor 'blocks.1.attn.qkv.wieght'") && missing.contains("blocks.1.attn.qkv.weight"),
             qPrintable(missing));
  }

  void readsProtocol4TypesAndViews() {
    // What torch.save(…, pickle_protocol=4) writes: FRAME, MEMOIZE, STACK_GLOBAL, Parameters, bf16,
    // views with offsets and transposed strides, and non-tensor entries that are skipped.
    test::PickleWriter p(4);
    p.global("collections", "OrderedDict").op(')').op('R').memoize().op('(');
    p.str("weight").global("torch._utils", "_rebuild_parameter").op('(');
    p.tensor("BFloat16Storage", "0", 2, 0, {2}, {1}).op(char(0x88)).global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
    p.str("view").tensor("FloatStorage", "1", 12, 2, {2, 3}, {3, 1});
    p.str("transposed").tensor("FloatStorage", "1", 12, 0, {4, 3}, {1, 4});
    p.str("half").tensor("HalfStorage", "2", 3, 0, {3}, {1});
    p.str("index").tensor("LongStorage", "3", 2, 1, {1}, {1});
    p.str("meta").op('}').str("n").op(']').op('(').integer(1).real(2.5).op(char(0x88)).op('N').str("x").op('e').op('s');
    p.op('u');
    std::vector<float> floats(12);
    for (int i = 0; i < 12; ++i) floats[size_t(i)] = float(i);
    const std::vector<uint16_t> bf16 = {0x3fc0, 0xc000};          // 1.5, -2.0
    const std::vector<uint16_t> half = {0x3c00, 0xc000, 0x3800};  // 1, -2, 0.5
    const std::vector<int64_t> longs = {7, -5000000000};
    const fs::path file = tmp("p4.pth");
    writeCheckpoint(file, p.bytes(),
                    {{"archive/data/0", bytesOf(bf16)}, {"archive/data/1", bytesOf(floats)}, {"archive/data/2", bytesOf(half)},
                     {"archive/data/3", bytesOf(longs)}});
    const StateDict w = StateDict::load(file);
    QCOMPARE(w.keys(), (std::vector<std::string>{"weight", "view", "transposed", "half", "index"}));
    QCOMPARE(w.tensor("weight").scalar_type(), at::kBFloat16);
    QCOMPARE(w.tensor("weight")[1].item<float>(), -2.0f);
    QVERIFY(at::equal(w.tensor("view"), at::arange(2, 8, at::kFloat).view({2, 3})));
    QVERIFY(at::equal(w.tensor("transposed"), at::arange(12, at::kFloat).view({3, 4}).t()));
    QVERIFY(w.tensor("view").storage().data() == w.tensor("transposed").storage().data());
    QCOMPARE(w.tensor("half")[2].item<float>(), 0.5f);
    QCOMPARE(w.tensor("index")[0].item<int64_t>(), int64_t(-5000000000));

    const CheckpointArchive archive(file);
    const PickleTree& tree = archive.tree();
    const int meta = *tree.lookup(tree.root(), "meta");
    const PickleNode& list = tree.node(*tree.lookup(meta, "n"));
    QCOMPARE(list.items.size(), size_t(5));
    QCOMPARE(tree.node(list.items[1]).real, 2.5);
    QCOMPARE(tree.node(list.items[2]).kind, PickleKind::Bool);
    QCOMPARE(tree.node(list.items[3]).kind, PickleKind::None);
    QCOMPARE(tree.node(list.items[4]).text, std::string("x"));
  }

  void readsWhatLibtorchWrites() {
    // libtorch's own torch.save-format writer (torch::pickle_save), with typed-dict tags.
    c10::Dict<std::string, at::Tensor> dict;
    dict.insert("w", at::arange(6, at::kFloat).view({2, 3}));
    dict.insert("h", at::tensor({1.5, -2.0}).to(at::kHalf));
    dict.insert("i", at::tensor({int64_t(1) << 40}));
    const std::vector<char> bytes = torch::jit::pickle_save(dict);
    const fs::path file = tmp("libtorch.pth");
    writeFile(file, std::string(bytes.begin(), bytes.end()));
    const StateDict w = StateDict::load(file);
    QCOMPARE(w.size(), size_t(3));
    QVERIFY(at::equal(w.tensor("w", {2, 3}), dict.at("w")));
    QVERIFY(at::equal(w.tensor("h"), dict.at("h")));
    QCOMPARE(w.tensor("i")[0].item<int64_t>(), int64_t(1) << 40);
  }

  void refusesGlobalsThatWouldRunCode_data() {
    QTest::addColumn<int>("protocol");
    QTest::addColumn<QString>("module");
    QTest::addColumn<QString>("name");
    QTest::newRow("os.system, protocol 2") << 2 << "os" << "system";
    QTest::newRow("posix.system, protocol 2") << 2 << "posix" << "system";
    QTest::newRow("builtins.eval, protocol 4") << 4 << "builtins" << "eval";
    QTest::newRow("subprocess.Popen, protocol 4") << 4 << "subprocess" << "Popen";
    QTest::newRow("torch.load, protocol 2") << 2 << "torch" << "load";
  }
  void refusesGlobalsThatWouldRunCode() {
    QFETCH(int, protocol);
    QFETCH(QString, module);
    QFETCH(QString, name);
    const fs::path file = tmp("evil.pth");
    writeCheckpoint(file, maliciousPickle(protocol, module.toStdString(), name.toStdString()));
    const QString err = QString::fromStdString(errorOf([&] { StateDict::load(file); }));
    QVERIFY2(err.contains("evil.pth") && err.contains("refused global '" + module + "." + name + "'"), qPrintable(err));
  }

  void refusesObjectBuildingOpcodes() {
    const fs::path file = tmp("inst.pth");
    // INST: protocol 0's "instantiate module.name with the marked arguments".
    const std::string inst = std::string("\x80\x02(", 3) + std::string("X\x02\x00\x00\x00ls", 7) + "ios\nsystem\n.";
    writeCheckpoint(file, inst);
    const QString err = QString::fromStdString(errorOf([&] { StateDict::load(file); }));
    QVERIFY2(err.contains("constructs arbitrary objects: refused"), qPrintable(err));
  }

  void damagedFilesFailCleanly() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    const std::string good = readFile(golden / "dinov2_tiny.pth");
    const fs::path file = tmp("damaged.pth");
    auto loadError = [&](const std::string& bytes, bool verify = false) {
      writeFile(file, bytes);
      return QString::fromStdString(errorOf([&] { StateDict::load(file, verified(verify)); }));
    };

    QVERIFY(loadError("hello, I am not a checkpoint").contains("not a zip archive"));
    QVERIFY(loadError(std::string("\x80\x02}q\x00.", 6)).contains("legacy"));
    for (const size_t cut : {size_t(10), good.size() / 3, good.size() / 2, good.size() - 23, good.size() - 1}) {
      const QString err = loadError(good.substr(0, cut));
      QVERIFY2(err.contains("damaged.pth") && (err.contains("truncated") || err.contains("damaged")), qPrintable(err));
    }

    // A record renamed: the pickle's storage is then missing.
    std::string renamed = good;
    for (size_t at = 0; (at = renamed.find("dinov2_tiny/data/7", at)) != std::string::npos; at += 18) renamed.replace(at, 18, "dinov2_tiny/data/X");
    const QString missing = loadError(renamed);
    QVERIFY2(missing.contains("record 'dinov2_tiny/data/7' is missing"), qPrintable(missing));

    // An unknown opcode inside data.pkl (its CRC fixed up so the pickle is actually parsed).
    {
      const fs::path bad = tmp("opcode.pth");
      writeCheckpoint(bad, std::string("\x80\x02}q\x00\xff.", 7));
      const QString err = QString::fromStdString(errorOf([&] { StateDict::load(bad); }));
      QVERIFY2(err.contains("unknown pickle opcode 0xff at byte 5"), qPrintable(err));
    }

    // Random byte flips anywhere: an Error or a successful load, never a crash. With checksums
    // verified, a flip inside any record's data is always caught.
    std::mt19937 rng(7);
    const CheckpointArchive reference(golden / "dinov2_tiny.pth");
    int caught = 0;
    for (int trial = 0; trial < 300; ++trial) {
      std::string bytes = good;
      const size_t at = std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(rng);
      bytes[at] = char(bytes[at] ^ (1 << std::uniform_int_distribution<int>(0, 7)(rng)));
      writeFile(file, bytes);
      try {
        StateDict::load(file, verified(true));
      } catch (const Error& e) {
        ++caught;
        QVERIFY(std::string(e.what()).find("damaged.pth") != std::string::npos);
        continue;
      }
      // Loaded: the flip must have hit bytes no record's data covers (headers' unused fields, padding).
      const ZipArchive zip(MappedFile::open(golden / "dinov2_tiny.pth"));
      for (const ZipRecord& r : zip.records()) QVERIFY(at < r.data_offset || at >= r.data_offset + r.size);
    }
    QVERIFY(caught > 250);
  }

  void readsZip64BeyondFourGigabytes() {
    // A 5 GB record written as a hole, then a small one whose offset needs zip64: what the
    // ViT-g/14 checkpoint (4.5 GB) looks like to the reader. Mapping it costs no memory.
    test::PickleWriter p(2);
    p.op('}').op('(');
    const int64_t big = (int64_t(5) << 30) / 4;
    p.str("big").tensor("FloatStorage", "0", big, 0, {big}, {1});
    p.str("after").tensor("FloatStorage", "1", 3, 0, {3}, {1});
    p.op('u');
    const fs::path file = tmp("zip64.pth");
    test::writeStoredZip(file, {{"archive/data.pkl", p.bytes()},
                                {"archive/data/0", "", uint64_t(big) * 4},
                                {"archive/data/1", bytesOf(std::vector<float>{1, 2, 3})},
                                {"archive/version", "3\n"}});
    const StateDict w = StateDict::load(file);
    QCOMPARE(w.tensor("big").numel(), big);
    QCOMPARE(w.tensor("big")[big - 1].item<float>(), 0.0f);
    QVERIFY(at::equal(w.tensor("after"), at::tensor({1.0f, 2.0f, 3.0f})));
  }

  void storagesSmallerThanDeclaredAreRefused() {
    test::PickleWriter p(2);
    p.op('}').str("w").tensor("FloatStorage", "0", 100, 0, {100}, {1}).op('s');
    const fs::path file = tmp("short.pth");
    writeCheckpoint(file, p.bytes(), {{"archive/data/0", bytesOf(std::vector<float>(10))}});
    const QString err = QString::fromStdString(errorOf([&] { StateDict::load(file); }));
    QVERIFY2(err.contains("too few for its storage of 100 float32 values"), qPrintable(err));

    test::PickleWriter q(2);  // a view reaching past its storage
    q.op('}').str("w").tensor("FloatStorage", "0", 10, 5, {3, 3}, {3, 1}).op('s');
    writeCheckpoint(file, q.bytes(), {{"archive/data/0", bytesOf(std::vector<float>(10))}});
    const QString view = QString::fromStdString(errorOf([&] { StateDict::load(file); }));
    QVERIFY2(view.contains("reaches past its storage"), qPrintable(view));
  }
};

QTEST_GUILESS_MAIN(TestCheckpointReader)
#include "tst_checkpoint_reader.moc"
