#include "core/storage/schema.h"

#include "core/base/error.h"
#include "core/storage/sqlite_connection.h"

namespace regionlab {

const std::vector<Migration>& schemaMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "images, models, regions and region vectors",
       R"sql(
CREATE TABLE schema_version(version INTEGER NOT NULL);
INSERT INTO schema_version(version) VALUES (0);
CREATE TABLE settings(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL);
-- Every region generator and descriptor that produced data here; vectors of different
-- descriptor models are never compared.
CREATE TABLE models(
  id     INTEGER PRIMARY KEY,
  kind   TEXT NOT NULL CHECK (kind IN ('region_generator', 'descriptor', 'global')),
  name   TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  dim    INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, name, sha256));
-- Paths are relative to the collection folder, '/'-separated, so a collection can be moved.
CREATE TABLE images(
  id           INTEGER PRIMARY KEY,
  path         TEXT NOT NULL UNIQUE,
  sha256       TEXT,
  file_size    INTEGER NOT NULL DEFAULT 0,
  mtime_ns     INTEGER NOT NULL DEFAULT 0,
  width        INTEGER NOT NULL DEFAULT 0,
  height       INTEGER NOT NULL DEFAULT 0,
  orig_width   INTEGER NOT NULL DEFAULT 0,
  orig_height  INTEGER NOT NULL DEFAULT 0,
  status       TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  error        TEXT,
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
-- rle: COCO uncompressed counts (column-major, starting with zeros) as little-endian uint32;
-- the mask size is the image's width and height.
CREATE TABLE regions(
  id           INTEGER PRIMARY KEY,
  image_id     INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  generator_id INTEGER NOT NULL REFERENCES models(id),
  rle          BLOB NOT NULL,
  x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL,
  area         INTEGER NOT NULL);
CREATE INDEX regions_by_image ON regions(image_id);
-- vec: fp16, little-endian, models.dim values.
CREATE TABLE region_vectors(
  region_id INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
  model_id  INTEGER NOT NULL REFERENCES models(id),
  vec       BLOB NOT NULL,
  PRIMARY KEY (region_id, model_id)) WITHOUT ROWID;
CREATE INDEX region_vectors_by_model ON region_vectors(model_id, region_id);
)sql"},
      {2, "classes, labels, queries and feedback",
       R"sql(
CREATE TABLE classes(
  id    INTEGER PRIMARY KEY,
  name  TEXT NOT NULL UNIQUE,
  color TEXT NOT NULL);
CREATE TABLE labels(
  id         INTEGER PRIMARY KEY,
  region_id  INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
  class_id   INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  source     TEXT NOT NULL CHECK (source IN ('user', 'auto')),
  confidence REAL NOT NULL DEFAULT 1.0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (region_id, class_id, source));
CREATE INDEX labels_by_class ON labels(class_id);
CREATE TABLE queries(
  id         INTEGER PRIMARY KEY,
  image_id   INTEGER REFERENCES images(id) ON DELETE SET NULL,
  region_id  INTEGER REFERENCES regions(id) ON DELETE SET NULL,
  model_id   INTEGER NOT NULL REFERENCES models(id),
  vec        BLOB NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
CREATE TABLE feedback(
  id        INTEGER PRIMARY KEY,
  query_id  INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  region_id INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
  verdict   INTEGER NOT NULL CHECK (verdict IN (-1, 1)),
  time      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
CREATE INDEX feedback_by_query ON feedback(query_id);
)sql"},
      {3, "concepts become classes; user labels remember the concept that made them",
       R"sql(
-- A query session (a "concept") becomes a class when the user names it. queries.vec holds the
-- query vector as little-endian fp32 (models.dim values).
ALTER TABLE queries ADD COLUMN class_id INTEGER REFERENCES classes(id) ON DELETE SET NULL;
CREATE INDEX queries_by_class ON queries(class_id);
-- The concept whose accepted result made a user label (NULL for labels set directly): undoing
-- the acceptance removes exactly that label and never one the user set by hand.
ALTER TABLE labels ADD COLUMN query_id INTEGER REFERENCES queries(id) ON DELETE SET NULL;
CREATE INDEX labels_by_region ON labels(region_id);
CREATE INDEX labels_by_query ON labels(query_id);
CREATE INDEX feedback_by_region ON feedback(region_id);
)sql"},
      {4, "DRQ codebooks and region codes",
       R"sql(
-- Codebooks trained on the collection (core/storage/codebook_store.h). data: the codebook file
-- bytes (core/quantization/codebook_file.h, with its own version and checksum); sha256: its id.
-- purpose: 'region_codes' (search) or 'clusters' (bulk labeling). AUTOINCREMENT: a retrained
-- codebook never takes a deleted one's id.
CREATE TABLE codebooks(
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  model_id         INTEGER NOT NULL REFERENCES models(id),
  purpose          TEXT NOT NULL,
  sha256           TEXT NOT NULL,
  books            INTEGER NOT NULL,
  centroids        INTEGER NOT NULL,
  training_vectors INTEGER NOT NULL,
  data             BLOB NOT NULL,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
CREATE INDEX codebooks_by_model ON codebooks(model_id, purpose);
-- code: codebooks.books little-endian uint16 values.
CREATE TABLE region_codes(
  region_id   INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
  codebook_id INTEGER NOT NULL REFERENCES codebooks(id) ON DELETE CASCADE,
  code        BLOB NOT NULL,
  PRIMARY KEY (region_id, codebook_id)) WITHOUT ROWID;
CREATE INDEX region_codes_by_codebook ON region_codes(codebook_id, region_id);
)sql"},
  };
  return kMigrations;
}

int latestSchemaVersion() { return schemaMigrations().back().version; }

int readSchemaVersion(SqliteConnection& db) {
  auto exists = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  exists.step();
  if (exists.columnInt(0) == 0) return 0;
  auto version = db.prepare("SELECT version FROM schema_version");
  if (!version.step()) throw Error(db.file(), "database is damaged: schema_version has no row");
  return int(version.columnInt(0));
}

void migrateSchema(SqliteConnection& db, int target_version) {
  if (target_version < 0) target_version = latestSchemaVersion();
  const int current = readSchemaVersion(db);
  if (current > latestSchemaVersion()) {
    throw Error(db.file(), "database schema version " + std::to_string(current) + " is newer than this RegionLab supports (" +
                               std::to_string(latestSchemaVersion()) + "); use a newer RegionLab");
  }
  for (const Migration& m : schemaMigrations()) {
    if (m.version <= current || m.version > target_version) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      // Another process may have migrated while we waited for the write lock.
      if (readSchemaVersion(db) >= m.version) {
        db.exec("COMMIT");
        continue;
      }
      db.exec(m.sql);
      db.prepare("UPDATE schema_version SET version = ?").bind(1, int64_t(m.version)).run();
      db.exec("COMMIT");
    } catch (const Error& e) {
      db.exec("ROLLBACK");
      throw Error(db.file(), "migration to schema version " + std::to_string(m.version) + " (" + m.description + ") failed: " + e.reason());
    }
  }
}

}  // namespace regionlab
