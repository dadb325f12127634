#include "core/storage/label_store.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "core/base/error.h"
#include "core/storage/database.h"
#include "core/storage/sqlite_connection.h"

namespace regionlab {

namespace {

// Distinct, saturated colours that stay readable as tinted fills over photos (Kelly's list of
// maximally contrasting colours, without white and black).
constexpr const char* kPalette[] = {"#f3c300", "#875692", "#f38400", "#a1caf1", "#be0032", "#c2b280", "#848482",
                                    "#008856", "#e68fac", "#0067a5", "#f99379", "#604e97", "#f6a600", "#b3446c",
                                    "#dcd300", "#882d17", "#8db600", "#654522", "#e25822", "#2b3d26"};

std::string trimmedName(const std::string& name) {
  const auto first = std::find_if_not(name.begin(), name.end(), [](unsigned char c) { return std::isspace(c); });
  const auto last = std::find_if_not(name.rbegin(), name.rend(), [](unsigned char c) { return std::isspace(c); }).base();
  std::string t = first < last ? std::string(first, last) : std::string();
  if (t.empty()) throw Error("a class needs a non-empty name");
  if (t.size() > 200) throw Error("class name '" + t.substr(0, 40) + "…' is longer than 200 characters");
  return t;
}

LabelSource labelSourceFromName(const std::string& name) { return name == "auto" ? LabelSource::Auto : LabelSource::User; }

constexpr const char* kLabelColumns = "l.id, l.region_id, l.class_id, l.source, l.confidence, l.query_id, l.created_at";

LabelRecord readLabelRow(const SqliteStatement& s) {
  LabelRecord r;
  r.id = s.columnInt(0);
  r.region_id = s.columnInt(1);
  r.class_id = s.columnInt(2);
  r.source = labelSourceFromName(s.columnText(3));
  r.confidence = s.columnDouble(4);
  if (!s.columnIsNull(5)) r.query_id = s.columnInt(5);
  r.created_at = s.columnText(6);
  return r;
}

std::vector<LabelRecord> readLabelRows(SqliteStatement& s) {
  std::vector<LabelRecord> out;
  while (s.step()) out.push_back(readLabelRow(s));
  return out;
}

}  // namespace

std::string labelSourceName(LabelSource source) { return source == LabelSource::Auto ? "auto" : "user"; }

std::string normalizeClassColor(const std::string& color) {
  std::string hex = color;
  if (!hex.empty() && hex[0] == '#') hex = hex.substr(1);
  if (hex.size() != 6 || !std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c); })) {
    throw Error("class colour '" + color + "' is not of the form #rrggbb");
  }
  std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return "#" + hex;
}

LabelStore::LabelStore(Database& db) : db_(db) {}

std::string LabelStore::nextPaletteColor() {
  std::unordered_set<std::string> used;
  for (const ClassRecord& c : readClasses()) used.insert(c.color);
  const size_t n = std::size(kPalette);
  for (const char* c : kPalette) {
    if (!used.contains(c)) return c;
  }
  return kPalette[used.size() % n];  // every palette colour taken: cycle
}

ClassRecord LabelStore::createClass(const std::string& name, const std::string& color) {
  ClassRecord c;
  c.name = trimmedName(name);
  if (findClass(c.name)) throw Error(db_.file(), "a class named '" + c.name + "' already exists");
  c.color = color.empty() ? nextPaletteColor() : normalizeClassColor(color);
  db_.connection().prepare("INSERT INTO classes(name, color) VALUES (?, ?)").bind(1, c.name).bind(2, c.color).run();
  c.id = db_.connection().lastInsertId();
  return c;
}

ClassRecord LabelStore::ensureClass(const std::string& name, const std::string& color) {
  if (auto existing = findClass(trimmedName(name))) return *existing;
  return createClass(name, color);
}

std::optional<ClassRecord> LabelStore::findClass(const std::string& name) {
  auto s = db_.connection().prepare("SELECT id, name, color FROM classes WHERE name = ?");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return ClassRecord{s.columnInt(0), s.columnText(1), s.columnText(2)};
}

std::optional<ClassRecord> LabelStore::readClass(int64_t class_id) {
  auto s = db_.connection().prepare("SELECT id, name, color FROM classes WHERE id = ?");
  s.bind(1, class_id);
  if (!s.step()) return std::nullopt;
  return ClassRecord{s.columnInt(0), s.columnText(1), s.columnText(2)};
}

std::vector<ClassRecord> LabelStore::readClasses() {
  auto s = db_.connection().prepare("SELECT id, name, color FROM classes ORDER BY id");
  std::vector<ClassRecord> out;
  while (s.step()) out.push_back({s.columnInt(0), s.columnText(1), s.columnText(2)});
  return out;
}

void LabelStore::renameClass(int64_t class_id, const std::string& name) {
  const std::string n = trimmedName(name);
  if (auto other = findClass(n); other && other->id != class_id) throw Error(db_.file(), "a class named '" + n + "' already exists");
  auto s = db_.connection().prepare("UPDATE classes SET name = ? WHERE id = ?");
  s.bind(1, n).bind(2, class_id).run();
  if (db_.connection().changes() == 0) throw Error(db_.file(), "class " + std::to_string(class_id) + " does not exist");
}

void LabelStore::setClassColor(int64_t class_id, const std::string& color) {
  db_.connection().prepare("UPDATE classes SET color = ? WHERE id = ?").bind(1, normalizeClassColor(color)).bind(2, class_id).run();
  if (db_.connection().changes() == 0) throw Error(db_.file(), "class " + std::to_string(class_id) + " does not exist");
}

void LabelStore::deleteClass(int64_t class_id) { db_.connection().prepare("DELETE FROM classes WHERE id = ?").bind(1, class_id).run(); }

std::vector<ClassLabelCounts> LabelStore::countLabelsPerClass() {
  auto s = db_.connection().prepare(
      "SELECT c.id, c.name, c.color, "
      "  (SELECT count(*) FROM labels l WHERE l.class_id = c.id AND l.source = 'user'), "
      "  (SELECT count(*) FROM labels l WHERE l.class_id = c.id AND l.source = 'auto') "
      "FROM classes c ORDER BY c.id");
  std::vector<ClassLabelCounts> out;
  while (s.step()) out.push_back({{s.columnInt(0), s.columnText(1), s.columnText(2)}, s.columnInt(3), s.columnInt(4)});
  return out;
}

int64_t LabelStore::setUserLabel(int64_t region_id, int64_t class_id, std::optional<int64_t> query_id) {
  if (!readClass(class_id)) throw Error(db_.file(), "class " + std::to_string(class_id) + " does not exist");
  auto exists = db_.connection().prepare("SELECT 1 FROM regions WHERE id = ?");
  exists.bind(1, region_id);
  if (!exists.step()) throw Error(db_.file(), "region " + std::to_string(region_id) + " does not exist");
  // One user class per region, and the user's word replaces the classifier's.
  db_.connection().prepare("DELETE FROM labels WHERE region_id = ? AND (source = 'auto' OR class_id <> ?)").bind(1, region_id).bind(2, class_id).run();
  auto s = db_.connection().prepare(
      "INSERT INTO labels(region_id, class_id, source, confidence, query_id) VALUES (?, ?, 'user', 1.0, ?) "
      // A label set by hand becomes the hand's (NULL query); one a concept re-accepts keeps its origin.
      "ON CONFLICT(region_id, class_id, source) DO UPDATE SET "
      "query_id = CASE WHEN excluded.query_id IS NULL THEN NULL ELSE labels.query_id END "
      "RETURNING id");
  s.bind(1, region_id).bind(2, class_id);
  if (query_id) s.bind(3, *query_id); else s.bindNull(3);
  if (!s.step()) throw Error(db_.file(), "database error: writing a label returned no id");
  const int64_t id = s.columnInt(0);
  s.run();
  return id;
}

bool LabelStore::removeUserLabel(int64_t region_id) {
  db_.connection().prepare("DELETE FROM labels WHERE region_id = ? AND source = 'user'").bind(1, region_id).run();
  return db_.connection().changes() > 0;
}

void LabelStore::deleteLabel(int64_t label_id) { db_.connection().prepare("DELETE FROM labels WHERE id = ?").bind(1, label_id).run(); }

bool LabelStore::writeAutoLabel(int64_t region_id, int64_t class_id, double confidence) {
  auto s = db_.connection().prepare(
      "INSERT INTO labels(region_id, class_id, source, confidence) "
      "SELECT ?, ?, 'auto', ? WHERE NOT EXISTS (SELECT 1 FROM labels WHERE region_id = ? AND source = 'user') "
      "ON CONFLICT(region_id, class_id, source) DO UPDATE SET confidence = excluded.confidence, "
      "created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
  s.bind(1, region_id).bind(2, class_id).bind(3, confidence).bind(4, region_id).run();
  return db_.connection().changes() > 0;
}

std::vector<int64_t> LabelStore::replaceAutoLabelMasks(int64_t image_id, int64_t generator_id, std::span<const AutoLabelMask> masks) {
  db_.connection()
      .prepare("DELETE FROM regions WHERE image_id = ? AND generator_id = ? AND id NOT IN (SELECT region_id FROM labels WHERE source = 'user')")
      .bind(1, image_id)
      .bind(2, generator_id)
      .run();
  std::vector<Region> regions;
  regions.reserve(masks.size());
  for (const AutoLabelMask& m : masks) regions.push_back(m.region);
  const std::vector<int64_t> ids = db_.writeRegions(image_id, generator_id, regions);
  for (size_t i = 0; i < ids.size(); ++i) writeAutoLabel(ids[i], masks[i].class_id, masks[i].confidence);
  return ids;
}

std::vector<LabelRecord> LabelStore::readLabelsOfRegion(int64_t region_id) {
  auto s = db_.connection().prepare(std::string("SELECT ") + kLabelColumns + " FROM labels l WHERE l.region_id = ? ORDER BY l.id");
  s.bind(1, region_id);
  return readLabelRows(s);
}

std::vector<LabelRecord> LabelStore::readLabelsOfImage(int64_t image_id) {
  auto s = db_.connection().prepare(std::string("SELECT ") + kLabelColumns +
                                    " FROM labels l JOIN regions r ON r.id = l.region_id WHERE r.image_id = ? ORDER BY l.id");
  s.bind(1, image_id);
  return readLabelRows(s);
}

std::vector<LabelRecord> LabelStore::readLabelsOfQuery(int64_t query_id) {
  auto s = db_.connection().prepare(std::string("SELECT ") + kLabelColumns + " FROM labels l WHERE l.query_id = ? ORDER BY l.id");
  s.bind(1, query_id);
  return readLabelRows(s);
}

std::vector<LabelRecord> LabelStore::readLabels(std::optional<LabelSource> source, std::optional<int64_t> class_id) {
  std::string sql = std::string("SELECT ") + kLabelColumns + " FROM labels l WHERE 1";
  if (source) sql += " AND l.source = ?1";
  if (class_id) sql += " AND l.class_id = ?2";
  sql += " ORDER BY l.id";
  auto s = db_.connection().prepare(sql);
  if (source) s.bind(1, labelSourceName(*source));
  if (class_id) s.bind(2, *class_id);
  return readLabelRows(s);
}

}  // namespace regionlab
