#include "core/storage/codebook_store.h"

#include <cstring>

#include "core/base/error.h"
#include "core/storage/database.h"
#include "core/storage/sqlite_connection.h"

namespace regionlab {
namespace {

constexpr const char* kCodebookColumns = "id, model_id, purpose, sha256, books, centroids, training_vectors, created_at";

CodebookRecord readCodebookRow(const SqliteStatement& s) {
  CodebookRecord r;
  r.id = s.columnInt(0);
  r.model_id = s.columnInt(1);
  r.purpose = s.columnText(2);
  r.sha256 = s.columnText(3);
  r.books = int(s.columnInt(4));
  r.centroids = int(s.columnInt(5));
  r.training_vectors = s.columnInt(6);
  r.created_at = s.columnText(7);
  return r;
}

}  // namespace

CodebookStore::CodebookStore(Database& db) : db_(db) {}

int64_t CodebookStore::writeCodebook(const CodebookRecord& r, std::span<const uint8_t> data) {
  auto& c = db_.connection();
  c.prepare("INSERT INTO codebooks(model_id, purpose, sha256, books, centroids, training_vectors, data) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind(1, r.model_id)
      .bind(2, r.purpose)
      .bind(3, r.sha256)
      .bind(4, r.books)
      .bind(5, r.centroids)
      .bind(6, r.training_vectors)
      .bind(7, data)
      .run();
  return c.lastInsertId();
}

std::optional<CodebookRecord> CodebookStore::readCodebook(int64_t id) {
  auto s = db_.connection().prepare(std::string("SELECT ") + kCodebookColumns + " FROM codebooks WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return readCodebookRow(s);
}

std::optional<CodebookRecord> CodebookStore::latestCodebook(int64_t model_id, const std::string& purpose) {
  auto s = db_.connection().prepare(std::string("SELECT ") + kCodebookColumns +
                                    " FROM codebooks WHERE model_id = ? AND purpose = ? ORDER BY id DESC LIMIT 1");
  s.bind(1, model_id).bind(2, purpose);
  if (!s.step()) return std::nullopt;
  return readCodebookRow(s);
}

std::vector<CodebookRecord> CodebookStore::readCodebooks(int64_t model_id, const std::string& purpose) {
  auto s = db_.connection().prepare(std::string("SELECT ") + kCodebookColumns + " FROM codebooks WHERE model_id = ? AND purpose = ? ORDER BY id");
  s.bind(1, model_id).bind(2, purpose);
  std::vector<CodebookRecord> out;
  while (s.step()) out.push_back(readCodebookRow(s));
  return out;
}

std::vector<uint8_t> CodebookStore::readCodebookData(int64_t id) {
  auto s = db_.connection().prepare("SELECT data FROM codebooks WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) throw Error(db_.file(), "codebook " + std::to_string(id) + " does not exist");
  return s.columnBlob(0);
}

void CodebookStore::deleteCodebook(int64_t id) { db_.connection().prepare("DELETE FROM codebooks WHERE id = ?").bind(1, id).run(); }

void CodebookStore::writeCodes(int64_t codebook_id, std::span<const int64_t> region_ids, const uint16_t* codes, int books) {
  auto s = db_.connection().prepare("INSERT OR REPLACE INTO region_codes(region_id, codebook_id, code) VALUES (?, ?, ?)");
  std::vector<uint8_t> blob(size_t(books) * 2);
  for (size_t i = 0; i < region_ids.size(); ++i) {
    std::memcpy(blob.data(), codes + i * size_t(books), blob.size());  // the host is little-endian (codebook_file.cpp checks)
    s.reset();
    s.bind(1, region_ids[i]).bind(2, codebook_id).bind(3, std::span<const uint8_t>(blob));
    s.run();
  }
}

void CodebookStore::forEachCode(int64_t codebook_id, int64_t after_region_id,
                                const std::function<void(int64_t, std::span<const uint16_t>)>& visit) {
  auto s = db_.connection().prepare(
      "SELECT region_id, code FROM region_codes WHERE codebook_id = ? AND region_id > ? ORDER BY region_id");
  s.bind(1, codebook_id).bind(2, after_region_id);
  std::vector<uint16_t> codes;
  while (s.step()) {
    const auto blob = s.columnBlobView(1);
    codes.resize(blob.size() / 2);
    std::memcpy(codes.data(), blob.data(), codes.size() * 2);
    visit(s.columnInt(0), codes);
  }
}

int64_t CodebookStore::codeCount(int64_t codebook_id) {
  auto s = db_.connection().prepare("SELECT count(*) FROM region_codes WHERE codebook_id = ?");
  s.bind(1, codebook_id);
  s.step();
  return s.columnInt(0);
}

std::vector<int64_t> CodebookStore::regionsWithCode(int64_t codebook_id, uint16_t code) {
  const uint8_t bytes[2] = {uint8_t(code & 0xFF), uint8_t(code >> 8)};
  auto s = db_.connection().prepare(
      "SELECT region_id FROM region_codes WHERE codebook_id = ? AND substr(code, 1, 2) = ? ORDER BY region_id");
  s.bind(1, codebook_id).bind(2, std::span<const uint8_t>(bytes, 2));
  std::vector<int64_t> out;
  while (s.step()) out.push_back(s.columnInt(0));
  return out;
}

}  // namespace regionlab
