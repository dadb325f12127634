#include "core/quantization/codebook_file.h"

#include <bit>
#include <cstring>
#include <fstream>

#include "core/base/error.h"
#include "core/base/sha256.h"

namespace regionlab {
namespace {

static_assert(std::endian::native == std::endian::little, "the codebook file is little-endian; add byte swapping for this host");

constexpr char kMagic[8] = {'R', 'L', 'D', 'R', 'Q', 'C', 'B', '\0'};
constexpr size_t kTrailer = 32;

class Writer {
public:
  template <typename T>
  void put(T value) {
    const auto* p = reinterpret_cast<const uint8_t*>(&value);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  template <typename T>
  void putArray(const std::vector<T>& values) {
    const auto* p = reinterpret_cast<const uint8_t*>(values.data());
    bytes.insert(bytes.end(), p, p + values.size() * sizeof(T));
  }
  std::vector<uint8_t> bytes;
};

// Reads with bounds checks; every failure names what was being read.
class Reader {
public:
  Reader(std::span<const uint8_t> bytes, const std::filesystem::path& origin) : bytes_(bytes), origin_(origin) {}
  template <typename T>
  T get(const char* what) {
    need(sizeof(T), what);
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  template <typename T>
  std::vector<T> getArray(size_t count, const char* what) {
    if (count > (bytes_.size() - pos_) / sizeof(T)) fail(std::string("truncated while reading ") + what);
    std::vector<T> values(count);
    std::memcpy(values.data(), bytes_.data() + pos_, count * sizeof(T));
    pos_ += count * sizeof(T);
    return values;
  }
  size_t remaining() const { return bytes_.size() - pos_; }
  [[noreturn]] void fail(const std::string& reason) const { throw Error(origin_, "damaged DRQ codebook: " + reason); }

private:
  void need(size_t n, const char* what) const {
    if (bytes_.size() - pos_ < n) fail(std::string("truncated while reading ") + what);
  }
  std::span<const uint8_t> bytes_;
  const std::filesystem::path& origin_;
  size_t pos_ = 0;
};

void writeNode(Writer& w, const DrqNode& node, bool lookups) {
  w.put<uint8_t>(node.isLeaf() ? 0 : 1);
  w.put<uint32_t>(node.dim_begin);
  w.put<uint32_t>(node.dim_count);
  w.put<uint32_t>(node.size());
  if (node.isLeaf()) {
    w.put<float>(node.base);
    w.put<float>(node.bin_width);
    w.put<uint32_t>(uint32_t(node.source.size()));
    w.putArray(node.centroids);
    w.putArray(node.source);
  } else {
    w.put<int32_t>(node.child0);
    w.put<int32_t>(node.child1);
    w.putArray(node.code0);
    w.putArray(node.code1);
    if (lookups) w.putArray(node.source);
  }
  if (!lookups) return;
  w.put<uint32_t>(uint32_t(node.edge_targets.size()));
  w.putArray(node.edge_offsets);
  w.putArray(node.edge_targets);
  w.putArray(node.edge_weights);
}

DrqNode readNode(Reader& r, const std::vector<DrqNode>& earlier, bool lookups) {
  DrqNode node;
  const auto kind = r.get<uint8_t>("node kind");
  if (kind > 1) r.fail("unknown node kind " + std::to_string(kind));
  node.dim_begin = r.get<uint32_t>("node dimensions");
  node.dim_count = r.get<uint32_t>("node dimensions");
  const auto k = r.get<uint32_t>("node size");
  if (k == 0 || k > 65536) r.fail("a node has " + std::to_string(k) + " centroids");
  if (kind == 0) {
    node.base = r.get<float>("leaf base");
    node.bin_width = r.get<float>("leaf bin width");
    const auto bins = r.get<uint32_t>("leaf bins");
    if ((bins == 0) == lookups) r.fail("a leaf's bin map disagrees with the lookup-table flag");
    node.centroids = r.getArray<float>(k, "leaf centroids");
    node.source = r.getArray<uint16_t>(bins, "leaf bin map");
  } else {
    node.child0 = r.get<int32_t>("node children");
    node.child1 = r.get<int32_t>("node children");
    for (const int32_t c : {node.child0, node.child1}) {
      if (c < 0 || size_t(c) >= earlier.size()) r.fail("a node refers to a child that does not precede it");
    }
    node.code0 = r.getArray<uint16_t>(k, "node codes");
    node.code1 = r.getArray<uint16_t>(k, "node codes");
    const size_t cells = size_t(earlier[size_t(node.child0)].size()) * earlier[size_t(node.child1)].size();
    if (lookups) node.source = r.getArray<uint16_t>(cells, "node grid map");
  }
  if (!lookups) return node;
  const auto edges = r.get<uint32_t>("edge count");
  node.edge_offsets = r.getArray<uint32_t>(size_t(k) + 1, "edge offsets");
  node.edge_targets = r.getArray<uint16_t>(edges, "edge targets");
  node.edge_weights = r.getArray<float>(edges, "edge weights");
  return node;
}

}  // namespace

std::vector<uint8_t> encodeCodebook(const DrqCodebook& codebook) {
  Writer w;
  w.bytes.insert(w.bytes.end(), kMagic, kMagic + sizeof(kMagic));
  // Without member means the version-1 layout, byte for byte: such a codebook keeps its id (the
  // shipped texture vocabulary's is part of the embedded descriptor's identity).
  w.put<uint32_t>(codebook.hasMemberMeans() ? kCodebookFormatVersion : 1);
  const VectorTransform& t = codebook.transform();
  w.put<uint32_t>(uint32_t(t.inputDim()));
  w.put<uint32_t>(uint32_t(t.outputDim()));
  w.put<uint32_t>(uint32_t(codebook.books()));
  w.put<uint32_t>(uint32_t(codebook.chunkDim()));
  w.put<uint8_t>(uint8_t(t.normalisation()));
  w.put<uint8_t>(t.hasRotation() ? 1 : 0);
  const bool lookups = codebook.hasLookupTables();
  w.put<uint16_t>(uint16_t((lookups ? 1 : 0) | (codebook.hasMemberMeans() ? 2 : 0)));
  if (t.hasRotation()) {
    w.putArray(t.mean());
    w.putArray(t.rotation());
  }
  for (int b = 0; b < codebook.books(); ++b) {
    const auto& nodes = codebook.book(b).nodes();
    w.put<uint32_t>(uint32_t(nodes.size()));
    for (const DrqNode& node : nodes) writeNode(w, node, lookups);
  }
  if (codebook.hasMemberMeans()) {
    for (int b = 0; b < codebook.books(); ++b) {
      const float* means = codebook.reconstruction(b, 0);
      w.putArray(std::vector<float>(means, means + size_t(codebook.bookSize(b)) * size_t(codebook.chunkDim())));
    }
  }
  const auto digest = [&] {
    Sha256 h;
    h.update(w.bytes);
    return h.digest();
  }();
  w.bytes.insert(w.bytes.end(), digest.begin(), digest.end());
  return std::move(w.bytes);
}

DrqCodebook decodeCodebook(std::span<const uint8_t> bytes, const std::filesystem::path& origin) {
  if (bytes.size() < sizeof(kMagic) + 4 + kTrailer || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    throw Error(origin, "not a RegionLab DRQ codebook (bad magic or too short)");
  }
  uint32_t version = 0;
  std::memcpy(&version, bytes.data() + sizeof(kMagic), 4);
  if (version < 1 || version > kCodebookFormatVersion) {
    throw Error(origin, "DRQ codebook format version " + std::to_string(version) + " is not supported (this RegionLab reads versions 1 to " +
                            std::to_string(kCodebookFormatVersion) + ")");
  }
  const std::span<const uint8_t> body = bytes.first(bytes.size() - kTrailer);
  Sha256 h;
  h.update(body);
  const auto digest = h.digest();
  if (std::memcmp(digest.data(), bytes.data() + body.size(), kTrailer) != 0) {
    throw Error(origin, "damaged DRQ codebook: checksum mismatch (the file was truncated or altered)");
  }

  Reader r(body.subspan(sizeof(kMagic) + 4), origin);
  const auto input_dim = r.get<uint32_t>("header");
  const auto output_dim = r.get<uint32_t>("header");
  const auto books = r.get<uint32_t>("header");
  const auto chunk_dim = r.get<uint32_t>("header");
  const auto normalisation = r.get<uint8_t>("header");
  const auto has_rotation = r.get<uint8_t>("header");
  const auto flags = r.get<uint16_t>("header");
  if (flags > (version >= 2 ? 3 : 1)) r.fail("unknown flags " + std::to_string(flags));
  const bool lookups = (flags & 1) != 0;
  const bool member_means = (flags & 2) != 0;
  if (input_dim == 0 || books == 0 || chunk_dim == 0 || uint64_t(books) * chunk_dim != output_dim || output_dim > (1u << 20)) {
    r.fail("inconsistent dimensions (input " + std::to_string(input_dim) + ", " + std::to_string(books) + " books of " +
           std::to_string(chunk_dim) + ", output " + std::to_string(output_dim) + ")");
  }
  if (normalisation > 2 || has_rotation > 1) r.fail("unknown normalisation or rotation flag");
  try {
    std::vector<float> mean, rotation;
    if (has_rotation) {
      mean = r.getArray<float>(input_dim, "PCA mean");
      rotation = r.getArray<float>(size_t(output_dim) * input_dim, "PCA rotation");
    }
    VectorTransform transform(int(input_dim), int(output_dim), VectorNormalisation(normalisation), std::move(mean), std::move(rotation));
    std::vector<DrqTree> trees;
    for (uint32_t b = 0; b < books; ++b) {
      const auto count = r.get<uint32_t>("node count");
      if (count != 2 * chunk_dim - 1) r.fail("book " + std::to_string(b) + " has " + std::to_string(count) + " nodes");
      std::vector<DrqNode> nodes;
      nodes.reserve(count);
      for (uint32_t i = 0; i < count; ++i) nodes.push_back(readNode(r, nodes, lookups));
      trees.emplace_back(std::move(nodes));
    }
    std::vector<std::vector<float>> means;
    if (member_means) {
      for (const DrqTree& tree : trees) means.push_back(r.getArray<float>(size_t(tree.size()) * chunk_dim, "member means"));
    }
    if (r.remaining() != 0) r.fail(std::to_string(r.remaining()) + " unexpected bytes after the last book");
    return DrqCodebook(std::move(transform), std::move(trees), std::move(means));
  } catch (const Error& e) {
    if (e.file() == origin) throw;
    throw Error(origin, "damaged DRQ codebook: " + e.reason());
  }
}

void writeCodebookFile(const DrqCodebook& codebook, const std::filesystem::path& file) {
  const std::vector<uint8_t> bytes = encodeCodebook(codebook);
  const std::filesystem::path temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    out.flush();
    if (!out) throw Error(file, "cannot write the codebook (disk full or folder not writable?)");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, file, ec);
  if (ec) throw Error(file, "cannot replace the codebook: " + ec.message());
}

DrqCodebook readCodebookFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file, "cannot open the codebook");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return decodeCodebook(bytes, file);
}

}  // namespace regionlab
