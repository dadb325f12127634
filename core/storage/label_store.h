#pragma once
// Classes and region labels of a collection (schema v2 `classes`, `labels`; v3 adds
// labels.query_id). A label ties a region to a class, from one of two sources:
//   user: set by a person (directly, or by accepting a result of a concept);
//   auto: written by the semantic auto-labeler, with the classifier's confidence.
// Invariants kept here, so every front end gets them:
//   - a region carries at most one user class (setting another replaces it);
//   - a user label wins: setting one removes the region's auto labels, and an auto label is
//     never written on a region that has a user label (auto never overwrites user);
//   - re-ingesting keeps user-labeled regions (Database::deleteRegionsOfImage).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
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
std::string labelSourceName(LabelSource source);  // "user" / "auto"

struct LabelRecord {
  int64_t id = 0;
  int64_t region_id = 0;
  int64_t class_id = 0;
  LabelSource source = LabelSource::User;
  double confidence = 1.0;
  std::optional<int64_t> query_id;  // the concept whose accepted result made this user label
  std::string created_at;           // ISO 8601, UTC
};

struct ClassLabelCounts {
  ClassRecord cls;
  int64_t user_labels = 0;
  int64_t auto_labels = 0;
};

// One per-class mask of an auto-labeled image (see AutoLabelJob).
struct AutoLabelMask {
  int64_t class_id = 0;
  Region region;
  double confidence = 0;  // mean over the mask's pixels of the winning class's mean probability
};

class LabelStore {
public:
  explicit LabelStore(Database& db);

  // Classes. Names are trimmed, non-empty, unique (case-sensitive); an empty colour picks the
  // next unused one of a fixed palette of distinct colours. Throws Error on a bad name or
  // colour, or a duplicate name (createClass).
  ClassRecord createClass(const std::string& name, const std::string& color = "");
  ClassRecord ensureClass(const std::string& name, const std::string& color = "");  // existing or new
  std::optional<ClassRecord> findClass(const std::string& name);
  std::optional<ClassRecord> readClass(int64_t class_id);
  std::vector<ClassRecord> readClasses();  // by id
  void renameClass(int64_t class_id, const std::string& name);
  void setClassColor(int64_t class_id, const std::string& color);
  void deleteClass(int64_t class_id);  // its labels go with it
  std::vector<ClassLabelCounts> countLabelsPerClass();

  // User labels. Returns the label id. Throws Error when the region or class does not exist.
  int64_t setUserLabel(int64_t region_id, int64_t class_id, std::optional<int64_t> query_id = std::nullopt);
  // Removes the region's user label; returns whether it had one.
  bool removeUserLabel(int64_t region_id);
  void deleteLabel(int64_t label_id);

  // Auto labels: returns false (and writes nothing) when the region has a user label.
  bool writeAutoLabel(int64_t region_id, int64_t class_id, double confidence);
  // Replaces the auto-label masks of an image: removes the image's previous auto-label regions
  // (regions of `generator_id` that carry no user label) and writes one region per mask with
  // its auto label. Returns the new region ids. Call inside a transaction for atomicity.
  std::vector<int64_t> replaceAutoLabelMasks(int64_t image_id, int64_t generator_id, std::span<const AutoLabelMask> masks);

  // Reading.
  std::vector<LabelRecord> readLabelsOfRegion(int64_t region_id);
  std::vector<LabelRecord> readLabelsOfImage(int64_t image_id);
  std::vector<LabelRecord> readLabelsOfQuery(int64_t query_id);
  std::vector<LabelRecord> readLabels(std::optional<LabelSource> source = std::nullopt, std::optional<int64_t> class_id = std::nullopt);

private:
  std::string nextPaletteColor();
  Database& db_;
};

// "#rrggbb" (lower-case) from "#RRGGBB" / "rrggbb"; throws Error for anything else.
std::string normalizeClassColor(const std::string& color);

}  // namespace regionlab
