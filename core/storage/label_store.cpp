#include "core/storage/label_store.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/base/error.h"
#include "core/base/half_float.h"
#include "core/storage/database.h"
#include "core/storage/records.h"
#include "core/storage/sqlite_connection.h"

namespace regionlab {
namespace {

bool isHexColor(const std::string& color) {
  return color.size() == 7 && color[0] == '#' &&
         std::all_of(color.begin() + 1, color.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

LabelStore::LabelStore(Database& db) : db_(db) {}

std::vector<ClassRecord> LabelStore::readClasses() {
  auto s = db_.connection().prepare("SELECT id, name, color FROM classes ORDER BY id");
  std::vector<ClassRecord> out;
  while (s.step()) out.push_back({s.columnInt(0), s.columnText(1), s.columnText(2)});
  return out;
}

int64_t LabelStore::addClass(const std::string& name, const std::string& color, std::optional<int64_t> id) {
  const std::string clean = trimmed(name);
  if (clean.empty()) throw Error(db_.file(), "a class needs a name");
  if (!isHexColor(color)) throw Error(db_.file(), "class colour '" + color + "' is not of the form #rrggbb");
  auto taken = db_.connection().prepare("SELECT 1 FROM classes WHERE name = ?");
  taken.bind(1, clean);
  if (taken.step()) throw Error(db_.file(), "a class named '" + clean + "' exists already");
  auto insert = db_.connection().prepare("INSERT INTO classes(id, name, color) VALUES (?, ?, ?)");
  if (id) insert.bind(1, *id); else insert.bindNull(1);
  insert.bind(2, clean).bind(3, color).run();
  return db_.connection().lastInsertId();
}

void LabelStore::renameClass(int64_t class_id, const std::string& name) {
  const std::string clean = trimmed(name);
  if (clean.empty()) throw Error(db_.file(), "a class needs a name");
  auto taken = db_.connection().prepare("SELECT 1 FROM classes WHERE name = ? AND id <> ?");
  taken.bind(1, clean).bind(2, class_id);
  if (taken.step()) throw Error(db_.file(), "a class named '" + clean + "' exists already");
  db_.connection().prepare("UPDATE classes SET name = ? WHERE id = ?").bind(1, clean).bind(2, class_id).run();
  if (db_.connection().changes() == 0) throw Error(db_.file(), "class " + std::to_string(class_id) + " does not exist");
}

void LabelStore::setClassColor(int64_t class_id, const std::string& color) {
  if (!isHexColor(color)) throw Error(db_.file(), "class colour '" + color + "' is not of the form #rrggbb");
  db_.connection().prepare("UPDATE classes SET color = ? WHERE id = ?").bind(1, color).bind(2, class_id).run();
  if (db_.connection().changes() == 0) throw Error(db_.file(), "class " + std::to_string(class_id) + " does not exist");
}

void LabelStore::deleteClass(int64_t class_id) {
  // labels.class_id cascades.
  db_.connection().prepare("DELETE FROM classes WHERE id = ?").bind(1, class_id).run();
}

std::vector<LabelRecord> LabelStore::readLabelsOfImage(int64_t image_id) {
  auto s = db_.connection().prepare(
      "SELECT l.id, l.region_id, r.image_id, l.class_id, l.source, l.confidence FROM labels l "
      "JOIN regions r ON r.id = l.region_id WHERE r.image_id = ? ORDER BY l.region_id, l.source, l.class_id");
  s.bind(1, image_id);
  std::vector<LabelRecord> out;
  while (s.step()) {
    out.push_back({s.columnInt(0), s.columnInt(1), s.columnInt(2), s.columnInt(3),
                   s.columnText(4) == "auto" ? LabelSource::Auto : LabelSource::User, s.columnDouble(5)});
  }
  return out;
}

UserClassAssignment LabelStore::readUserClasses(std::span<const int64_t> region_ids) {
  UserClassAssignment out;
  auto s = db_.connection().prepare("SELECT class_id FROM labels WHERE region_id = ? AND source = 'user' ORDER BY id LIMIT 1");
  for (const int64_t region : region_ids) {
    s.reset();
    s.bind(1, region);
    out[region] = s.step() ? std::optional<int64_t>(s.columnInt(0)) : std::nullopt;
  }
  return out;
}

UserClassAssignment LabelStore::writeUserClasses(const UserClassAssignment& assignment) {
  std::vector<int64_t> ids;
  ids.reserve(assignment.size());
  for (const auto& [region, cls] : assignment) ids.push_back(region);
  Database::Transaction transaction(db_);
  UserClassAssignment previous = readUserClasses(ids);
  auto remove = db_.connection().prepare("DELETE FROM labels WHERE region_id = ? AND source = 'user'");
  auto insert = db_.connection().prepare("INSERT INTO labels(region_id, class_id, source, confidence) VALUES (?, ?, 'user', 1.0)");
  for (const auto& [region, cls] : assignment) {
    remove.reset();
    remove.bind(1, region).run();
    if (!cls) continue;
    insert.reset();
    insert.bind(1, region).bind(2, *cls).run();
  }
  transaction.commit();
  return previous;
}

std::unordered_map<int64_t, std::vector<int64_t>> LabelStore::readClassesByImage() {
  auto s = db_.connection().prepare(
      "SELECT DISTINCT r.image_id, l.class_id FROM labels l JOIN regions r ON r.id = l.region_id ORDER BY r.image_id, l.class_id");
  std::unordered_map<int64_t, std::vector<int64_t>> out;
  while (s.step()) out[s.columnInt(0)].push_back(s.columnInt(1));
  return out;
}

int64_t LabelStore::addUserRegion(int64_t image_id, const Region& region, std::optional<int64_t> id) {
  const int64_t generator = db_.ensureModel(kRegionGeneratorKind, kUserRegionGenerator, kUserRegionGenerator, 0);
  const std::vector<uint8_t> rle = rleCountsToBytes(region.mask);
  auto s = db_.connection().prepare("INSERT INTO regions(id, image_id, generator_id, rle, x, y, w, h, area) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (id) s.bind(1, *id); else s.bindNull(1);
  s.bind(2, image_id).bind(3, generator).bind(4, std::span<const uint8_t>(rle));
  s.bind(5, region.bbox.x).bind(6, region.bbox.y).bind(7, region.bbox.width).bind(8, region.bbox.height).bind(9, region.area);
  s.run();
  return db_.connection().lastInsertId();
}

void LabelStore::deleteRegion(int64_t region_id) {
  // Labels, vectors and feedback of the region cascade.
  db_.connection().prepare("DELETE FROM regions WHERE id = ?").bind(1, region_id).run();
}

int64_t LabelStore::addQuery(int64_t image_id, int64_t region_id, int64_t model_id, std::span<const float> vector) {
  const std::vector<uint16_t> halves = floatsToHalves(vector);
  std::vector<uint8_t> blob(halves.size() * 2);
  std::memcpy(blob.data(), halves.data(), blob.size());
  auto s = db_.connection().prepare("INSERT INTO queries(image_id, region_id, model_id, vec) VALUES (?, ?, ?, ?)");
  if (image_id > 0) s.bind(1, image_id); else s.bindNull(1);
  if (region_id > 0) s.bind(2, region_id); else s.bindNull(2);
  s.bind(3, model_id).bind(4, std::span<const uint8_t>(blob)).run();
  return db_.connection().lastInsertId();
}

int LabelStore::setVerdict(int64_t query_id, int64_t region_id, int verdict) {
  if (verdict < -1 || verdict > 1) throw Error(db_.file(), "a verdict is -1, 0 or +1, not " + std::to_string(verdict));
  Database::Transaction transaction(db_);
  auto read = db_.connection().prepare("SELECT verdict FROM feedback WHERE query_id = ? AND region_id = ? ORDER BY id DESC LIMIT 1");
  read.bind(1, query_id).bind(2, region_id);
  const int previous = read.step() ? int(read.columnInt(0)) : 0;
  db_.connection().prepare("DELETE FROM feedback WHERE query_id = ? AND region_id = ?").bind(1, query_id).bind(2, region_id).run();
  if (verdict != 0) {
    db_.connection()
        .prepare("INSERT INTO feedback(query_id, region_id, verdict) VALUES (?, ?, ?)")
        .bind(1, query_id)
        .bind(2, region_id)
        .bind(3, int64_t(verdict))
        .run();
  }
  transaction.commit();
  return previous;
}

std::unordered_map<int64_t, int> LabelStore::readVerdicts(int64_t query_id) {
  auto s = db_.connection().prepare("SELECT region_id, verdict FROM feedback WHERE query_id = ? ORDER BY id");
  s.bind(1, query_id);
  std::unordered_map<int64_t, int> out;
  while (s.step()) out[s.columnInt(0)] = int(s.columnInt(1));
  return out;
}

}  // namespace regionlab
