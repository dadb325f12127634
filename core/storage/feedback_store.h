#pragma once
// Concepts (query sessions) and the ✓/✗ feedback given on their results (schema v2 `queries`,
// `feedback`; v3 adds queries.class_id). Feedback is a log: every verdict is kept with its time,
// the latest verdict on a region is the one that counts (effectiveVerdicts), and undo removes
// log entries, so marking ✓ then ✗ then undoing brings back the ✓.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace regionlab {

class Database;

enum class Verdict { Reject = -1, Accept = 1 };

struct QueryRecord {
  int64_t id = 0;
  std::optional<int64_t> image_id;   // NULL once the image is removed from the collection
  std::optional<int64_t> region_id;  // NULL for a mask that is not a stored region
  int64_t model_id = 0;              // the descriptor that made `vector`
  std::vector<float> vector;
  std::optional<int64_t> class_id;   // set when the concept is named
  std::string created_at;
};

struct FeedbackRecord {
  int64_t id = 0;
  int64_t query_id = 0;
  int64_t region_id = 0;
  Verdict verdict = Verdict::Accept;
  std::string time;  // ISO 8601, UTC
};

struct QuerySummary {
  QueryRecord query;
  int64_t accepted = 0;  // regions whose latest verdict is ✓
  int64_t rejected = 0;
  int64_t feedback_items = 0;  // log entries
};

class FeedbackStore {
public:
  explicit FeedbackStore(Database& db);

  // image_id / region_id of 0 mean none. Returns the query id.
  int64_t createQuery(int64_t image_id, int64_t region_id, int64_t model_id, std::span<const float> vector);
  std::optional<QueryRecord> readQuery(int64_t query_id);
  std::vector<QueryRecord> readQueries(std::optional<int64_t> class_id = std::nullopt);  // oldest first
  std::vector<QuerySummary> summarizeQueries();
  void setQueryClass(int64_t query_id, std::optional<int64_t> class_id);
  void deleteQuery(int64_t query_id);  // its feedback goes with it

  // Throws Error when the query or region does not exist. Returns the feedback id.
  int64_t addFeedback(int64_t query_id, int64_t region_id, Verdict verdict);
  std::vector<FeedbackRecord> readFeedback(int64_t query_id);  // oldest first
  std::optional<FeedbackRecord> readFeedbackItem(int64_t feedback_id);
  bool deleteFeedback(int64_t feedback_id);

private:
  Database& db_;
};

// Latest verdict per region of a feedback log given oldest first.
std::unordered_map<int64_t, Verdict> effectiveVerdicts(std::span<const FeedbackRecord> log);

}  // namespace regionlab
