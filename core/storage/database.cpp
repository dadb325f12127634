#include "core/storage/database.h"

#include <cstring>

#include "core/base/error.h"
#include "core/base/half_float.h"
#include "core/storage/schema.h"
#include "core/storage/sqlite_connection.h"

namespace regionlab {

std::string imageStatusName(ImageStatus status) {
  switch (status) {
    case ImageStatus::Pending: return "pending";
    case ImageStatus::Done: return "done";
    case ImageStatus::Failed: return "failed";
  }
  return "pending";
}

ImageStatus imageStatusFromName(const std::string& name) {
  if (name == "done") return ImageStatus::Done;
  if (name == "failed") return ImageStatus::Failed;
  return ImageStatus::Pending;
}

namespace {

constexpr const char* kImageColumns =
    "id, path, sha256, file_size, mtime_ns, width, height, orig_width, orig_height, status, error";

ImageRecord readImageRow(const SqliteStatement& s) {
  ImageRecord r;
  r.id = s.columnInt(0);
  r.path = s.columnText(1);
  r.sha256 = s.columnText(2);
  r.file_size = s.columnInt(3);
  r.mtime_ns = s.columnInt(4);
  r.width = int(s.columnInt(5));
  r.height = int(s.columnInt(6));
  r.orig_width = int(s.columnInt(7));
  r.orig_height = int(s.columnInt(8));
  r.status = imageStatusFromName(s.columnText(9));
  r.error = s.columnText(10);
  return r;
}

constexpr const char* kRegionColumns = "r.id, r.image_id, r.generator_id, r.rle, r.x, r.y, r.w, r.h, r.area, i.width, i.height";

RegionRecord readRegionRow(const SqliteStatement& s, const std::filesystem::path& file) {
  RegionRecord r;
  r.id = s.columnInt(0);
  r.image_id = s.columnInt(1);
  r.generator_id = s.columnInt(2);
  const std::string what = "region " + std::to_string(r.id);
  try {
    r.region.mask = rleFromCountBytes(s.columnBlobView(3), int(s.columnInt(10)), int(s.columnInt(9)));
    validateRle(r.region.mask, what);
  } catch (const Error& e) {
    throw Error(file, "damaged " + what + ": " + e.reason());
  }
  r.region.bbox = {int(s.columnInt(4)), int(s.columnInt(5)), int(s.columnInt(6)), int(s.columnInt(7))};
  r.region.area = s.columnInt(8);
  return r;
}

std::vector<uint16_t> halvesFromBlob(std::span<const uint8_t> blob) {
  std::vector<uint16_t> halves(blob.size() / 2);
  std::memcpy(halves.data(), blob.data(), halves.size() * 2);  // blobs need not be aligned
  return halves;
}

}  // namespace

Database::Database(std::unique_ptr<SqliteConnection> connection) : db_(std::move(connection)) {}
Database::~Database() = default;

std::unique_ptr<Database> Database::open(const std::filesystem::path& file, Access access) {
  const bool existed = std::filesystem::exists(file);
  if (access == Access::ReadOnly && !existed) throw Error(file, "no RegionLab database here (ingest the collection first)");
  auto connection = std::make_unique<SqliteConnection>(
      file, access == Access::ReadOnly ? SqliteConnection::Mode::ReadOnly : SqliteConnection::Mode::ReadWriteCreate);
  try {
    // Reading the header proves this is a database before anything is written to it.
    connection->exec("SELECT count(*) FROM sqlite_master");
    if (access == Access::ReadWrite) {
      connection->exec("PRAGMA journal_mode = WAL");
      connection->exec("PRAGMA synchronous = NORMAL");
    }
    connection->exec("PRAGMA foreign_keys = ON");
  } catch (const Error& e) {
    throw Error(file, "not a usable RegionLab database: " + e.reason());
  }
  if (access == Access::ReadWrite) {
    migrateSchema(*connection);
  } else {
    const int version = readSchemaVersion(*connection);
    if (version != latestSchemaVersion()) {
      throw Error(file, "database schema version " + std::to_string(version) + " differs from this RegionLab's (" +
                            std::to_string(latestSchemaVersion()) + "); open it once read-write to migrate");
    }
  }
  return std::unique_ptr<Database>(new Database(std::move(connection)));
}

const std::filesystem::path& Database::file() const { return db_->file(); }
int Database::schemaVersion() { return readSchemaVersion(*db_); }
SqliteConnection& Database::connection() { return *db_; }

Database::Transaction::Transaction(Database& db) : db_(db) { db_.db_->exec("BEGIN IMMEDIATE"); }
Database::Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.db_->exec("ROLLBACK");
    } catch (...) {
      // SQLite already rolled back (e.g. after SQLITE_FULL); nothing left to undo.
    }
  }
}
void Database::Transaction::commit() {
  db_.db_->exec("COMMIT");
  done_ = true;
}

std::optional<std::string> Database::readSetting(const std::string& key) {
  auto s = db_->prepare("SELECT value FROM settings WHERE key = ?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.columnText(0);
}

void Database::writeSetting(const std::string& key, const std::string& value) {
  db_->prepare("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .bind(1, key)
      .bind(2, value)
      .run();
}

void Database::deleteSetting(const std::string& key) { db_->prepare("DELETE FROM settings WHERE key = ?").bind(1, key).run(); }

int64_t Database::ensureModel(const std::string& kind, const std::string& name, const std::string& sha256, int dim) {
  auto find = db_->prepare("SELECT id FROM models WHERE kind = ? AND name = ? AND sha256 = ?");
  find.bind(1, kind).bind(2, name).bind(3, sha256);
  if (find.step()) return find.columnInt(0);
  db_->prepare("INSERT INTO models(kind, name, sha256, dim) VALUES (?, ?, ?, ?)")
      .bind(1, kind)
      .bind(2, name)
      .bind(3, sha256)
      .bind(4, int64_t(dim))
      .run();
  return db_->lastInsertId();
}

std::optional<ModelRecord> Database::readModel(int64_t id) {
  auto s = db_->prepare("SELECT id, kind, name, sha256, dim FROM models WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return ModelRecord{s.columnInt(0), s.columnText(1), s.columnText(2), s.columnText(3), int(s.columnInt(4))};
}

std::vector<ModelRecord> Database::readModels() {
  std::vector<ModelRecord> out;
  auto s = db_->prepare("SELECT id, kind, name, sha256, dim FROM models ORDER BY id");
  while (s.step()) out.push_back({s.columnInt(0), s.columnText(1), s.columnText(2), s.columnText(3), int(s.columnInt(4))});
  return out;
}

std::vector<std::pair<ModelRecord, int64_t>> Database::readModelUsage() {
  auto s = db_->prepare(
      "SELECT m.id, m.kind, m.name, m.sha256, m.dim, "
      "  CASE m.kind WHEN 'region_generator' THEN (SELECT count(*) FROM regions WHERE generator_id = m.id) "
      "              ELSE (SELECT count(*) FROM region_vectors WHERE model_id = m.id) END "
      "FROM models m ORDER BY m.id");
  std::vector<std::pair<ModelRecord, int64_t>> out;
  while (s.step()) {
    out.push_back({{s.columnInt(0), s.columnText(1), s.columnText(2), s.columnText(3), int(s.columnInt(4))}, s.columnInt(5)});
  }
  return out;
}

std::vector<ImageRecord> Database::readImages() {
  std::vector<ImageRecord> out;
  auto s = db_->prepare(std::string("SELECT ") + kImageColumns + " FROM images ORDER BY path");
  while (s.step()) out.push_back(readImageRow(s));
  return out;
}

std::optional<ImageRecord> Database::findImage(const std::string& relative_path) {
  auto s = db_->prepare(std::string("SELECT ") + kImageColumns + " FROM images WHERE path = ?");
  s.bind(1, relative_path);
  if (!s.step()) return std::nullopt;
  return readImageRow(s);
}

std::optional<ImageRecord> Database::readImage(int64_t id) {
  auto s = db_->prepare(std::string("SELECT ") + kImageColumns + " FROM images WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return readImageRow(s);
}

int64_t Database::writeImage(const ImageRecord& r) {
  auto s = db_->prepare(
      "INSERT INTO images(path, sha256, file_size, mtime_ns, width, height, orig_width, orig_height, status, error) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(path) DO UPDATE SET sha256 = excluded.sha256, file_size = excluded.file_size, mtime_ns = excluded.mtime_ns, "
      "width = excluded.width, height = excluded.height, orig_width = excluded.orig_width, orig_height = excluded.orig_height, "
      "status = excluded.status, error = excluded.error, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
      "RETURNING id");
  s.bind(1, r.path).bind(2, r.sha256).bind(3, r.file_size).bind(4, r.mtime_ns).bind(5, r.width).bind(6, r.height);
  s.bind(7, r.orig_width).bind(8, r.orig_height).bind(9, imageStatusName(r.status));
  if (r.error.empty()) s.bindNull(10); else s.bind(10, r.error);
  if (!s.step()) throw Error(file(), "database error: writing image " + r.path + " returned no id");
  const int64_t id = s.columnInt(0);
  s.run();
  return id;
}

void Database::deleteImage(int64_t id) { db_->prepare("DELETE FROM images WHERE id = ?").bind(1, id).run(); }

std::vector<int64_t> Database::writeRegions(int64_t image_id, int64_t generator_id, std::span<const Region> regions) {
  auto s = db_->prepare("INSERT INTO regions(image_id, generator_id, rle, x, y, w, h, area) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  std::vector<int64_t> ids;
  ids.reserve(regions.size());
  for (const Region& r : regions) {
    s.reset();
    s.bind(1, image_id).bind(2, generator_id).bind(3, std::span<const uint8_t>(rleCountsToBytes(r.mask)));
    s.bind(4, r.bbox.x).bind(5, r.bbox.y).bind(6, r.bbox.width).bind(7, r.bbox.height).bind(8, r.area);
    s.run();
    ids.push_back(db_->lastInsertId());
  }
  return ids;
}

void Database::deleteRegionsOfImage(int64_t image_id) {
  db_->prepare("DELETE FROM regions WHERE image_id = ? AND id NOT IN (SELECT region_id FROM labels WHERE source = 'user')")
      .bind(1, image_id)
      .run();
}

std::vector<RegionRecord> Database::readRegionsNeedingVectors(int64_t image_id, int64_t model_id,
                                                             std::optional<int64_t> generator_id) {
  std::string sql = std::string("SELECT ") + kRegionColumns +
                    " FROM regions r JOIN images i ON i.id = r.image_id WHERE r.image_id = ? AND NOT EXISTS "
                    "(SELECT 1 FROM region_vectors v WHERE v.region_id = r.id AND v.model_id = ?) AND "
                    "(r.id IN (SELECT region_id FROM labels WHERE source = 'user')";
  sql += generator_id ? " OR r.generator_id = ?)" : ")";
  sql += " ORDER BY r.id";
  auto s = db_->prepare(sql);
  s.bind(1, image_id).bind(2, model_id);
  if (generator_id) s.bind(3, *generator_id);
  std::vector<RegionRecord> out;
  while (s.step()) out.push_back(readRegionRow(s, file()));
  return out;
}

std::vector<RegionRecord> Database::readRegionsOfImage(int64_t image_id, std::optional<int64_t> generator_id) {
  std::string sql = std::string("SELECT ") + kRegionColumns + " FROM regions r JOIN images i ON i.id = r.image_id WHERE r.image_id = ?";
  if (generator_id) sql += " AND r.generator_id = ?";
  sql += " ORDER BY r.id";
  auto s = db_->prepare(sql);
  s.bind(1, image_id);
  if (generator_id) s.bind(2, *generator_id);
  std::vector<RegionRecord> out;
  while (s.step()) out.push_back(readRegionRow(s, file()));
  return out;
}

std::optional<RegionRecord> Database::readRegion(int64_t region_id) {
  auto s = db_->prepare(std::string("SELECT ") + kRegionColumns + " FROM regions r JOIN images i ON i.id = r.image_id WHERE r.id = ?");
  s.bind(1, region_id);
  if (!s.step()) return std::nullopt;
  return readRegionRow(s, file());
}

void Database::writeRegionVectors(int64_t model_id, std::span<const int64_t> region_ids, const float* vectors, int dim) {
  auto s = db_->prepare("INSERT OR REPLACE INTO region_vectors(region_id, model_id, vec) VALUES (?, ?, ?)");
  std::vector<uint8_t> blob(size_t(dim) * 2);
  for (size_t i = 0; i < region_ids.size(); ++i) {
    const auto halves = floatsToHalves({vectors + i * size_t(dim), size_t(dim)});
    std::memcpy(blob.data(), halves.data(), blob.size());
    s.reset();
    s.bind(1, region_ids[i]).bind(2, model_id).bind(3, std::span<const uint8_t>(blob));
    s.run();
  }
}

std::optional<std::vector<float>> Database::readRegionVector(int64_t region_id, int64_t model_id) {
  auto s = db_->prepare("SELECT vec FROM region_vectors WHERE region_id = ? AND model_id = ?");
  s.bind(1, region_id).bind(2, model_id);
  if (!s.step()) return std::nullopt;
  const auto halves = halvesFromBlob(s.columnBlobView(0));
  std::vector<float> v(halves.size());
  halvesToFloats(halves, v.data());
  return v;
}

bool Database::imageHasVectors(int64_t image_id, int64_t model_id) {
  auto s = db_->prepare(
      "SELECT EXISTS(SELECT 1 FROM regions r JOIN region_vectors v ON v.region_id = r.id WHERE r.image_id = ? AND v.model_id = ?)");
  s.bind(1, image_id).bind(2, model_id);
  s.step();
  return s.columnInt(0) != 0;
}

std::unordered_set<int64_t> Database::imagesWithRegionsOf(int64_t generator_id) {
  std::unordered_set<int64_t> ids;
  auto s = db_->prepare("SELECT DISTINCT image_id FROM regions WHERE generator_id = ?");
  s.bind(1, generator_id);
  while (s.step()) ids.insert(s.columnInt(0));
  return ids;
}

std::unordered_set<int64_t> Database::imagesWithVectorsOf(int64_t model_id) {
  std::unordered_set<int64_t> ids;
  auto s = db_->prepare("SELECT DISTINCT r.image_id FROM region_vectors v JOIN regions r ON r.id = v.region_id WHERE v.model_id = ?");
  s.bind(1, model_id);
  while (s.step()) ids.insert(s.columnInt(0));
  return ids;
}

void Database::forEachRegionVector(int64_t model_id, int64_t after_region_id,
                                   const std::function<void(int64_t, int64_t, std::span<const uint16_t>)>& visit) {
  auto s = db_->prepare(
      "SELECT v.region_id, r.image_id, v.vec FROM region_vectors v JOIN regions r ON r.id = v.region_id "
      "WHERE v.model_id = ? AND v.region_id > ? ORDER BY v.region_id");
  s.bind(1, model_id).bind(2, after_region_id);
  std::vector<uint16_t> halves;
  while (s.step()) {
    const auto blob = s.columnBlobView(2);
    halves.resize(blob.size() / 2);
    std::memcpy(halves.data(), blob.data(), halves.size() * 2);
    visit(s.columnInt(0), s.columnInt(1), halves);
  }
}

RegionVectorStats Database::regionVectorStats(int64_t model_id, std::optional<int64_t> up_to_region_id) {
  std::string sql = "SELECT count(*), coalesce(max(region_id), 0), coalesce(sum(region_id), 0) FROM region_vectors WHERE model_id = ?";
  if (up_to_region_id) sql += " AND region_id <= ?";
  auto s = db_->prepare(sql);
  s.bind(1, model_id);
  if (up_to_region_id) s.bind(2, *up_to_region_id);
  s.step();
  return {s.columnInt(0), s.columnInt(1), s.columnInt(2)};
}

CollectionCounts Database::counts() {
  CollectionCounts c;
  auto s = db_->prepare("SELECT status, count(*) FROM images GROUP BY status");
  while (s.step()) {
    const auto status = imageStatusFromName(s.columnText(0));
    const int64_t n = s.columnInt(1);
    if (status == ImageStatus::Done) c.images_done = n;
    else if (status == ImageStatus::Failed) c.images_failed = n;
    else c.images_pending = n;
  }
  auto r = db_->prepare("SELECT (SELECT count(*) FROM regions), (SELECT count(*) FROM region_vectors)");
  r.step();
  c.regions = r.columnInt(0);
  c.region_vectors = r.columnInt(1);
  return c;
}

std::string Database::integrityCheck() {
  auto s = db_->prepare("PRAGMA integrity_check");
  std::string result;
  while (s.step()) {
    if (!result.empty()) result += "; ";
    result += s.columnText(0);
  }
  return result;
}

}  // namespace regionlab
