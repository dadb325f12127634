#include "core/storage/feedback_store.h"

#include <cstring>

#include "core/base/error.h"
#include "core/base/half_float.h"
#include "core/storage/database.h"
#include "core/storage/sqlite_connection.h"

namespace regionlab {

namespace {

constexpr const char* kQueryColumns = "q.id, q.image_id, q.region_id, q.model_id, q.vec, q.class_id, q.created_at, m.dim";

QueryRecord readQueryRow(const SqliteStatement& s, const std::filesystem::path& file) {
  QueryRecord q;
  q.id = s.columnInt(0);
  if (!s.columnIsNull(1)) q.image_id = s.columnInt(1);
  if (!s.columnIsNull(2)) q.region_id = s.columnInt(2);
  q.model_id = s.columnInt(3);
  const auto blob = s.columnBlobView(4);
  if (!s.columnIsNull(5)) q.class_id = s.columnInt(5);
  q.created_at = s.columnText(6);
  const size_t dim = size_t(s.columnInt(7));
  // fp32 is what createQuery writes; fp16 (the region_vectors encoding) is read too.
  if (blob.size() == dim * 4) {
    q.vector.resize(dim);
    std::memcpy(q.vector.data(), blob.data(), blob.size());
  } else if (blob.size() == dim * 2) {
    std::vector<uint16_t> halves(dim);
    std::memcpy(halves.data(), blob.data(), blob.size());
    q.vector.resize(dim);
    halvesToFloats(halves, q.vector.data());
  } else {
    throw Error(file, "damaged query " + std::to_string(q.id) + ": its vector has " + std::to_string(blob.size()) +
                          " bytes, the model's vectors are " + std::to_string(dim) + "-d");
  }
  return q;
}

FeedbackRecord readFeedbackRow(const SqliteStatement& s) {
  return {s.columnInt(0), s.columnInt(1), s.columnInt(2), s.columnInt(3) > 0 ? Verdict::Accept : Verdict::Reject, s.columnText(4)};
}

}  // namespace

FeedbackStore::FeedbackStore(Database& db) : db_(db) {}

int64_t FeedbackStore::createQuery(int64_t image_id, int64_t region_id, int64_t model_id, std::span<const float> vector) {
  const auto model = db_.readModel(model_id);
  if (!model) throw Error(db_.file(), "model " + std::to_string(model_id) + " does not exist");
  if (size_t(model->dim) != vector.size()) {
    throw Error(db_.file(), "query vector has " + std::to_string(vector.size()) + " values, model " + model->name + " makes " +
                                std::to_string(model->dim));
  }
  auto s = db_.connection().prepare("INSERT INTO queries(image_id, region_id, model_id, vec) VALUES (?, ?, ?, ?)");
  if (image_id > 0) s.bind(1, image_id); else s.bindNull(1);
  if (region_id > 0) s.bind(2, region_id); else s.bindNull(2);
  s.bind(3, model_id);
  s.bind(4, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(vector.data()), vector.size() * sizeof(float)));
  s.run();
  return db_.connection().lastInsertId();
}

std::optional<QueryRecord> FeedbackStore::readQuery(int64_t query_id) {
  auto s = db_.connection().prepare(std::string("SELECT ") + kQueryColumns + " FROM queries q JOIN models m ON m.id = q.model_id WHERE q.id = ?");
  s.bind(1, query_id);
  if (!s.step()) return std::nullopt;
  return readQueryRow(s, db_.file());
}

std::vector<QueryRecord> FeedbackStore::readQueries(std::optional<int64_t> class_id) {
  std::string sql = std::string("SELECT ") + kQueryColumns + " FROM queries q JOIN models m ON m.id = q.model_id";
  if (class_id) sql += " WHERE q.class_id = ?";
  sql += " ORDER BY q.id";
  auto s = db_.connection().prepare(sql);
  if (class_id) s.bind(1, *class_id);
  std::vector<QueryRecord> out;
  while (s.step()) out.push_back(readQueryRow(s, db_.file()));
  return out;
}

std::vector<QuerySummary> FeedbackStore::summarizeQueries() {
  std::vector<QuerySummary> out;
  for (QueryRecord& q : readQueries()) {
    QuerySummary summary;
    const auto log = readFeedback(q.id);
    summary.feedback_items = int64_t(log.size());
    for (const auto& [region, verdict] : effectiveVerdicts(log)) {
      (verdict == Verdict::Accept ? summary.accepted : summary.rejected) += 1;
    }
    summary.query = std::move(q);
    out.push_back(std::move(summary));
  }
  return out;
}

void FeedbackStore::setQueryClass(int64_t query_id, std::optional<int64_t> class_id) {
  auto s = db_.connection().prepare("UPDATE queries SET class_id = ? WHERE id = ?");
  if (class_id) s.bind(1, *class_id); else s.bindNull(1);
  s.bind(2, query_id).run();
  if (db_.connection().changes() == 0) throw Error(db_.file(), "concept " + std::to_string(query_id) + " does not exist");
}

void FeedbackStore::deleteQuery(int64_t query_id) { db_.connection().prepare("DELETE FROM queries WHERE id = ?").bind(1, query_id).run(); }

int64_t FeedbackStore::addFeedback(int64_t query_id, int64_t region_id, Verdict verdict) {
  auto region = db_.connection().prepare("SELECT 1 FROM regions WHERE id = ?");
  region.bind(1, region_id);
  if (!region.step()) throw Error(db_.file(), "region " + std::to_string(region_id) + " does not exist");
  auto query = db_.connection().prepare("SELECT 1 FROM queries WHERE id = ?");
  query.bind(1, query_id);
  if (!query.step()) throw Error(db_.file(), "concept " + std::to_string(query_id) + " does not exist");
  db_.connection()
      .prepare("INSERT INTO feedback(query_id, region_id, verdict) VALUES (?, ?, ?)")
      .bind(1, query_id)
      .bind(2, region_id)
      .bind(3, int64_t(verdict == Verdict::Accept ? 1 : -1))
      .run();
  return db_.connection().lastInsertId();
}

std::vector<FeedbackRecord> FeedbackStore::readFeedback(int64_t query_id) {
  auto s = db_.connection().prepare("SELECT id, query_id, region_id, verdict, time FROM feedback WHERE query_id = ? ORDER BY id");
  s.bind(1, query_id);
  std::vector<FeedbackRecord> out;
  while (s.step()) out.push_back(readFeedbackRow(s));
  return out;
}

std::optional<FeedbackRecord> FeedbackStore::readFeedbackItem(int64_t feedback_id) {
  auto s = db_.connection().prepare("SELECT id, query_id, region_id, verdict, time FROM feedback WHERE id = ?");
  s.bind(1, feedback_id);
  if (!s.step()) return std::nullopt;
  return readFeedbackRow(s);
}

bool FeedbackStore::deleteFeedback(int64_t feedback_id) {
  db_.connection().prepare("DELETE FROM feedback WHERE id = ?").bind(1, feedback_id).run();
  return db_.connection().changes() > 0;
}

std::unordered_map<int64_t, Verdict> effectiveVerdicts(std::span<const FeedbackRecord> log) {
  std::unordered_map<int64_t, Verdict> verdicts;
  for (const FeedbackRecord& f : log) verdicts[f.region_id] = f.verdict;
  return verdicts;
}

}  // namespace regionlab
