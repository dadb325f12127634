#pragma once
// Classes, the user's labels on regions, regions the user made, and ✓/✗ feedback on query
// results: the schema v2 tables `classes`, `labels`, `queries` and `feedback`, read and written
// through one collection Database (same threading rule: one thread at a time).
//
// A region carries at most one user class here, as in the labeling tools users know (labelme,
// CVAT, X-AnyLabeling): giving a region a class replaces its previous user class. Automatic
// labels (source 'auto') are read, never written, by this class.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/regions/region.h"

namespace regionlab {

class Database;

struct ClassRecord {
  int64_t id = 0;
  std::string name;
  std::string color;  // "#rrggbb"
  bool operator==(const ClassRecord&) const = default;
};

enum class LabelSource { User, Auto };

struct LabelRecord {
  int64_t id = 0;
  int64_t region_id = 0;
  int64_t image_id = 0;
  int64_t class_id = 0;
  LabelSource source = LabelSource::User;
  double confidence = 1.0;
};

// Region id → its user class (nullopt: no user label). The form edits are undone with.
using UserClassAssignment = std::unordered_map<int64_t, std::optional<int64_t>>;

// Name of the region generator recorded for regions the user made (merges, painted masks).
inline constexpr const char* kUserRegionGenerator = "user-edit";

class LabelStore {
public:
  explicit LabelStore(Database& db);

  // Classes, by id.
  std::vector<ClassRecord> readClasses();
  // Adds a class; `id` re-creates a class with a known id (redo of an undone add). Throws Error
  // when the name is empty or taken, or the colour is not "#rrggbb".
  int64_t addClass(const std::string& name, const std::string& color, std::optional<int64_t> id = std::nullopt);
  void renameClass(int64_t class_id, const std::string& name);
  void setClassColor(int64_t class_id, const std::string& color);
  // Removes the class and every label of it.
  void deleteClass(int64_t class_id);

  // Every label (user and auto) of the image's regions, by region id.
  std::vector<LabelRecord> readLabelsOfImage(int64_t image_id);
  // The current user class of each region (every id appears in the result).
  UserClassAssignment readUserClasses(std::span<const int64_t> region_ids);
  // Sets the user class of each region (nullopt removes its user label), in one transaction;
  // returns the assignment it replaced, which undoes it.
  UserClassAssignment writeUserClasses(const UserClassAssignment& assignment);
  // For the collection browser's filters: image id → the classes labeled on it (user or auto).
  std::unordered_map<int64_t, std::vector<int64_t>> readClassesByImage();

  // Regions the user made (e.g. by merging two regions): stored under the generator
  // kUserRegionGenerator; they carry no vector until an ingest or a query embeds them. `id`
  // re-creates a region with a known id (redo of an undone edit).
  int64_t addUserRegion(int64_t image_id, const Region& region, std::optional<int64_t> id = std::nullopt);
  void deleteRegion(int64_t region_id);

  // Feedback on one-shot query results. A query is recorded once, with its vector (fp16, as
  // region vectors are), when the first verdict on its results is given.
  int64_t addQuery(int64_t image_id, int64_t region_id, int64_t model_id, std::span<const float> vector);
  // verdict: +1 (✓), -1 (✗) or 0 (none: removes it); returns the verdict it replaced.
  int setVerdict(int64_t query_id, int64_t region_id, int verdict);
  // Region id → verdict, for one query.
  std::unordered_map<int64_t, int> readVerdicts(int64_t query_id);

private:
  Database& db_;
};

}  // namespace regionlab
