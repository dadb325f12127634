#pragma once
// The interactive learning loop for one concept (DESIGN.md "Teach"): click an object, mark
// results ✓/✗, and the collection is re-ranked by a classifier trained on that feedback.
//
//   1. start(): the query region becomes a stored concept (queries table); results are ranked by
//      the query alone — dot product, max over each image's regions — as in the regions paper.
//   2. addFeedback(): every ✓/✗ is stored at once (feedback table: query, region, verdict,
//      time), so it survives restarts; undoLastFeedback()/removeFeedback() take items back.
//   3. retrain() / retrainInBackground(): a class-balanced, L2-regularised logistic regression on
//      region vectors, warm-started from the previous one, trained from the query + ✓ regions
//      (positives) and ✗ regions + random weak negatives; then every region is rescored and
//      the results re-ranked by it.
//   4. rank(): pages of results by score ("find more" = the next page), or by closeness to the
//      decision boundary (uncertainty mode, for active learning).
//   5. assignClass(): the concept becomes a class (name + colour); its ✓ regions become user
//      labels, kept in step with later feedback and undo. Once named, the concept also learns
//      from the class's other concepts and user labels.
//
// Threads: one owner thread calls every method (the GUI thread, a CLI, a test). Training started
// by retrainInBackground() runs on a worker thread that touches no database, only memory; its
// completion callback runs on that worker thread (a GUI posts it to its own thread). A newer
// retrain request cancels the running one. The RegionVectorSet must outlive the session and may
// only grow by appending (QueryEngine::refresh()) while no training runs; call
// waitForTraining() first. If the set was rebuilt (regions removed), open a new session.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/learning/concept_training.h"
#include "core/learning/one_shot_query.h"
#include "core/storage/collection_paths.h"
#include "core/storage/feedback_store.h"
#include "core/storage/label_store.h"

namespace regionlab {

class Database;

struct ConceptOptions {
  ConceptTrainingOptions training;
};

enum class RankingMode {
  Score,        // best first (query similarity until there is feedback, then the classifier)
  Uncertainty,  // regions nearest the classifier's decision boundary first (active learning)
};
std::string rankingModeName(RankingMode mode);
RankingMode rankingModeFromName(const std::string& name);  // "score" / "uncertain"; throws Error

struct RankRequest {
  RankingMode mode = RankingMode::Score;
  size_t offset = 0;  // results skipped ("find more": offset += count)
  size_t count = 20;
  bool skip_judged = true;           // leave out images holding a region with feedback in this concept
  bool include_query_image = false;  // the query's own image normally ranks first
};

struct RankedHit {
  int64_t image_id = 0;
  int64_t region_id = 0;     // the image's region that scored (best, or nearest the boundary)
  float score = 0;           // q·r (query ranking) or w·r + b (classifier)
  float probability = -1;    // sigmoid(score) with a classifier; −1 for the query ranking
};

struct RankedPage {
  std::vector<RankedHit> hits;
  size_t total = 0;           // results available in this mode after the filters
  std::string ranker;         // "query" or "classifier"
  int classifier_version = 0; // 0 = none trained yet
};

struct FeedbackItem {
  int64_t region_id = 0;
  Verdict verdict = Verdict::Accept;
};

struct TrainingReport {
  int version = 0;  // the classifier version this training produced (0 when it did not finish)
  bool cancelled = false;
  std::string error;  // non-empty when training failed
  size_t positives = 0, negatives = 0, weak_negatives = 0;
  size_t missing_vectors = 0;  // feedback regions without a vector of the descriptor (skipped)
  int iterations = 0;
  bool converged = false;
  double train_seconds = 0, score_seconds = 0;
};

class ConceptSession {
public:
  // A new concept from a resolved query (QueryEngine::resolve). `vectors` are the collection's
  // region vectors of `descriptor_id` (e.g. QueryEngine::index().vectors()).
  static std::unique_ptr<ConceptSession> start(const std::filesystem::path& collection_root, const RegionVectorSet& vectors,
                                               int64_t descriptor_id, const QueryVector& query, const ConceptOptions& options = {});
  // Re-opens a stored concept with its feedback; throws Error when it does not exist or was made
  // with another descriptor. The classifier is not trained yet (call retrain()).
  static std::unique_ptr<ConceptSession> open(const std::filesystem::path& collection_root, const RegionVectorSet& vectors,
                                              int64_t descriptor_id, int64_t query_id, const ConceptOptions& options = {});
  ~ConceptSession();  // cancels and joins a running training
  ConceptSession(const ConceptSession&) = delete;
  ConceptSession& operator=(const ConceptSession&) = delete;

  int64_t queryId() const { return query_.id; }
  const QueryRecord& query() const { return query_; }
  std::optional<ClassRecord> conceptClass();

  // Feedback: stored in one transaction per call; returns the feedback ids. Throws Error for a
  // region that does not exist. Does not retrain: call retrain()/retrainInBackground() after a batch.
  std::vector<int64_t> addFeedback(std::span<const FeedbackItem> items);
  int64_t addFeedback(int64_t region_id, Verdict verdict);
  // What a GUI does on each batch of ✓/✗: store it, then retrain in the background.
  std::vector<int64_t> submitFeedback(std::span<const FeedbackItem> items, std::function<void(const TrainingReport&)> on_trained = {});
  // Removes the newest feedback item (and the label it made); nullopt when there is none.
  std::optional<FeedbackRecord> undoLastFeedback();
  bool removeFeedback(int64_t feedback_id);
  const std::vector<FeedbackRecord>& feedback() const { return log_; }  // oldest first
  std::optional<Verdict> verdictOf(int64_t region_id) const;

  // Names the concept: finds or creates the class (empty colour: a palette colour), and turns
  // the query region and every ✓ region into user labels of it.
  ClassRecord assignClass(const std::string& name, const std::string& color = "");
  // Un-names the concept (undo of its first assignClass): the labels it made go, its feedback
  // stays; labels set by hand or by other concepts are left alone.
  void clearClass();

  // Trains on the caller's thread (cancelling a background training first).
  TrainingReport retrain();
  // Trains on a worker thread; on_finished runs there when it ends (also when cancelled or failed).
  // Call it from the owner thread, never from on_finished (throws Error there).
  void retrainInBackground(std::function<void(const TrainingReport&)> on_finished = {});
  void cancelTraining();   // returns after the worker has stopped
  void waitForTraining();  // returns after the worker has finished
  bool isTraining() const;
  int classifierVersion() const;
  std::optional<LinearModel> classifier() const;

  // A page of results. Uncertainty mode needs a trained classifier (throws Error otherwise).
  RankedPage rank(const RankRequest& request) const;
  // How the current ranking of `mode` scores the given images, in the order given: each image's
  // region that mode picks (best score, or nearest the boundary) and its score. For showing how
  // a retrain moved the results already listed. Images without vectors are left out.
  std::vector<RankedHit> scoreImages(std::span<const int64_t> image_ids, RankingMode mode) const;
  // The current score-mode ranking's score of one region (a judged result keeps its judged
  // region); nullopt when the region has no vector of the descriptor.
  std::optional<float> scoreOfRegion(int64_t region_id) const;

private:
  ConceptSession(const std::filesystem::path& root, const RegionVectorSet& vectors, int64_t descriptor_id, const ConceptOptions& options);
  void loadState();
  ConceptTrainingSet buildTrainingSet(TrainingReport& report);
  void syncLabels();
  void refreshJudgedImages();
  void ensureSlots();
  void install(ConceptModel&& model, TrainingReport& report, bool from_feedback);
  void joinWorker();
  // The ranking `mode` uses now (the query's until a classifier trained on feedback).
  std::shared_ptr<const RegionRanking> currentRanking(RankingMode mode, int* version, bool* classifier) const;

  CollectionPaths paths_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<FeedbackStore> feedback_store_;
  std::unique_ptr<LabelStore> label_store_;
  const RegionVectorSet& vectors_;
  int64_t descriptor_id_;
  ConceptOptions options_;
  QueryRecord query_;
  std::vector<FeedbackRecord> log_;
  std::unordered_map<int64_t, Verdict> verdicts_;
  std::unordered_set<int64_t> judged_images_;
  ImageSlots slots_;
  std::shared_ptr<const RegionRanking> query_ranking_;

  mutable std::mutex mutex_;  // guards the fields below (written by the worker)
  std::shared_ptr<const RegionRanking> classifier_ranking_;
  bool classifier_from_feedback_ = false;  // trained with more than the query alone
  LinearModel model_;
  int version_ = 0;

  std::thread worker_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::atomic<bool> training_{false};
};

}  // namespace regionlab
