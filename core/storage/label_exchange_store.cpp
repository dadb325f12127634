#include "core/storage/label_exchange_store.h"

#include <set>

#include "core/base/error.h"
#include "core/storage/database.h"
#include "core/storage/sqlite_connection.h"

namespace regionlab {

LabelExchangeStore::LabelExchangeStore(Database& db) : db_(db) {}

std::vector<StoredImage> LabelExchangeStore::readIngestedImages() {
  auto s = db_.connection().prepare(
      "SELECT id, path, width, height, orig_width, orig_height FROM images WHERE status = 'done' AND width > 0 ORDER BY id");
  std::vector<StoredImage> out;
  while (s.step()) {
    out.push_back({s.columnInt(0), s.columnText(1), int(s.columnInt(2)), int(s.columnInt(3)), int(s.columnInt(4)), int(s.columnInt(5))});
  }
  return out;
}

std::vector<std::string> LabelExchangeStore::readClassNames() {
  auto s = db_.connection().prepare("SELECT name FROM classes ORDER BY id");
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.columnText(0));
  return out;
}

std::vector<StoredLabel> LabelExchangeStore::readLabels(const StoredLabelQuery& query) {
  auto s = db_.connection().prepare(
      "SELECT l.region_id, r.image_id, r.rle, i.width, i.height, c.name, l.source, l.confidence "
      "FROM labels l JOIN regions r ON r.id = l.region_id JOIN images i ON i.id = r.image_id JOIN classes c ON c.id = l.class_id "
      "WHERE l.source = 'user' OR (?1 AND l.source = 'auto' AND l.confidence >= ?2 AND NOT EXISTS "
      "(SELECT 1 FROM labels u WHERE u.region_id = l.region_id AND u.source = 'user')) "
      "ORDER BY r.image_id, l.region_id, l.confidence DESC, c.id");
  s.bind(1, int64_t(query.include_auto ? 1 : 0)).bind(2, query.min_auto_confidence);
  std::vector<StoredLabel> out;
  std::set<int64_t> auto_done;
  while (s.step()) {
    StoredLabel label;
    label.region_id = s.columnInt(0);
    label.image_id = s.columnInt(1);
    label.is_auto = s.columnText(6) == "auto";
    if (label.is_auto && !auto_done.insert(label.region_id).second) continue;
    try {
      label.mask = rleFromCountBytes(s.columnBlobView(2), int(s.columnInt(4)), int(s.columnInt(3)));
      validateRle(label.mask, "region " + std::to_string(label.region_id));
    } catch (const Error& e) {
      throw Error(db_.file(), "damaged region " + std::to_string(label.region_id) + ": " + e.reason());
    }
    label.class_name = s.columnText(5);
    label.confidence = s.columnDouble(7);
    out.push_back(std::move(label));
  }
  return out;
}

namespace {

// Distinct, readable colours for classes created by an import (the labeling UI may recolour).
std::string classColour(int64_t index) {
  static const char* kColours[] = {"#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
                                   "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3",
                                   "#808000", "#ffd8b1", "#000075", "#808080"};
  return kColours[size_t(index) % (sizeof kColours / sizeof kColours[0])];
}

}  // namespace

int64_t LabelExchangeStore::ensureClass(const std::string& name, LabelWriteCounts& counts) {
  auto find = db_.connection().prepare("SELECT id FROM classes WHERE name = ?");
  find.bind(1, name);
  if (find.step()) return find.columnInt(0);
  auto count = db_.connection().prepare("SELECT count(*) FROM classes");
  count.step();
  db_.connection().prepare("INSERT INTO classes(name, color) VALUES (?, ?)").bind(1, name).bind(2, classColour(count.columnInt(0))).run();
  ++counts.classes_added;
  return db_.connection().lastInsertId();
}

LabelWriteCounts LabelExchangeStore::writeUserLabels(const std::vector<ImportedMask>& masks) {
  LabelWriteCounts counts;
  Database::Transaction transaction(db_);
  const int64_t generator_id = db_.ensureModel("region_generator", kImportGeneratorName, "labels imported from a file", 0);
  auto find_region = db_.connection().prepare("SELECT id FROM regions WHERE image_id = ? AND rle = ? ORDER BY id LIMIT 1");
  auto insert_label = db_.connection().prepare("INSERT OR IGNORE INTO labels(region_id, class_id, source, confidence) VALUES (?, ?, 'user', 1.0)");
  for (const ImportedMask& m : masks) {
    const int64_t class_id = ensureClass(m.class_name, counts);
    const std::vector<uint8_t> blob = rleCountsToBytes(m.mask);
    find_region.reset();
    find_region.bind(1, m.image_id).bind(2, std::span<const uint8_t>(blob));
    int64_t region_id = 0;
    if (find_region.step()) {
      region_id = find_region.columnInt(0);
      ++counts.regions_reused;
    } else {
      const Region region = makeRegion(m.mask);
      region_id = db_.writeRegions(m.image_id, generator_id, std::span<const Region>(&region, 1)).front();
      ++counts.regions_added;
    }
    find_region.reset();
    insert_label.reset();
    insert_label.bind(1, region_id).bind(2, class_id);
    insert_label.run();
    if (db_.connection().changes() > 0) ++counts.labels_added;
    else ++counts.labels_existing;
  }
  transaction.commit();
  return counts;
}

}  // namespace regionlab
