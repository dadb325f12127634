#pragma once
// The collection database (SQLite, WAL, foreign keys on): the single place that reads and writes
// SQL. The schema is in schema.cpp. One Database object is used by one thread at a time; open one
// per thread (SQLite's WAL lets readers run beside the one writer).
//
// Crash safety: every image is committed in one transaction (see Transaction), so a process
// killed at any instant leaves each image either fully ingested or absent, and WAL with
// synchronous=NORMAL never corrupts the file on a process crash.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/storage/records.h"

namespace regionlab {

class SqliteConnection;

class Database {
public:
  enum class Access { ReadWrite, ReadOnly };
  // Opens the database, creating it if missing (ReadWrite), and migrates it to the latest schema.
  // Throws Error(file, reason) when the file is not a database, is damaged or is from a newer
  // RegionLab.
  static std::unique_ptr<Database> open(const std::filesystem::path& file, Access access = Access::ReadWrite);
  ~Database();

  const std::filesystem::path& file() const;
  int schemaVersion();

  // Begins IMMEDIATE (takes the write lock at once); rolls back on destruction unless committed.
  class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Database& db_;
    bool done_ = false;
  };

  // Settings of the collection (active generator and descriptor, …).
  std::optional<std::string> readSetting(const std::string& key);
  void writeSetting(const std::string& key, const std::string& value);
  void deleteSetting(const std::string& key);

  // Models: returns the id of (kind, name, sha256), inserting it when new.
  int64_t ensureModel(const std::string& kind, const std::string& name, const std::string& sha256, int dim);
  std::optional<ModelRecord> readModel(int64_t id);
  std::vector<ModelRecord> readModels();
  // Every model with the number of regions it cut (generators) or embedded (descriptors).
  std::vector<std::pair<ModelRecord, int64_t>> readModelUsage();

  // Images.
  std::vector<ImageRecord> readImages();
  std::optional<ImageRecord> findImage(const std::string& relative_path);
  std::optional<ImageRecord> readImage(int64_t id);
  // Inserts, or updates the row with the same path; returns its id.
  int64_t writeImage(const ImageRecord& image);
  void deleteImage(int64_t id);

  // Regions.
  std::vector<int64_t> writeRegions(int64_t image_id, int64_t generator_id, std::span<const Region> regions);
  // Removes the image's regions, except those carrying a user label: a user's work is never
  // deleted by re-ingesting (they stay as labeled masks of the image).
  void deleteRegionsOfImage(int64_t image_id);
  // The image's regions that have no vector of the model and that searches should see: those
  // carrying a user label, plus, when generator_id is given, those of that generator (auto-label
  // masks and other generators' regions are left out).
  std::vector<RegionRecord> readRegionsNeedingVectors(int64_t image_id, int64_t model_id, std::optional<int64_t> generator_id);
  // All regions of the image, or only those of one generator, in insertion order.
  std::vector<RegionRecord> readRegionsOfImage(int64_t image_id, std::optional<int64_t> generator_id = std::nullopt);
  std::optional<RegionRecord> readRegion(int64_t region_id);

  // Region vectors (stored as fp16).
  void writeRegionVectors(int64_t model_id, std::span<const int64_t> region_ids, const float* vectors, int dim);
  std::optional<std::vector<float>> readRegionVector(int64_t region_id, int64_t model_id);
  bool imageHasVectors(int64_t image_id, int64_t model_id);
  // Ids of the images that have regions of this generator / vectors of this model (one query
  // each, for planning an ingest over many images).
  std::unordered_set<int64_t> imagesWithRegionsOf(int64_t generator_id);
  std::unordered_set<int64_t> imagesWithVectorsOf(int64_t model_id);
  // Streams (region id, image id, fp16 values) of every vector of the model with region id >
  // after_region_id, in region id order.
  void forEachRegionVector(int64_t model_id, int64_t after_region_id,
                           const std::function<void(int64_t region_id, int64_t image_id, std::span<const uint16_t> halves)>& visit);
  RegionVectorStats regionVectorStats(int64_t model_id, std::optional<int64_t> up_to_region_id = std::nullopt);

  CollectionCounts counts();
  // SQLite's PRAGMA integrity_check: "ok" for a sound file.
  std::string integrityCheck();

  SqliteConnection& connection();

private:
  explicit Database(std::unique_ptr<SqliteConnection> connection);
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace regionlab
