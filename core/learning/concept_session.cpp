#include "core/learning/concept_session.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/base/error.h"
#include "core/storage/database.h"

namespace regionlab {

std::string rankingModeName(RankingMode mode) { return mode == RankingMode::Uncertainty ? "uncertain" : "score"; }

RankingMode rankingModeFromName(const std::string& name) {
  if (name == "score") return RankingMode::Score;
  if (name == "uncertain" || name == "uncertainty") return RankingMode::Uncertainty;
  throw Error("unknown ranking mode '" + name + "' (use score or uncertain)");
}

ConceptSession::ConceptSession(const std::filesystem::path& root, const RegionVectorSet& vectors, int64_t descriptor_id,
                               const ConceptOptions& options)
    : paths_(root), vectors_(vectors), descriptor_id_(descriptor_id), options_(options) {
  if (!paths_.hasDatabase()) throw Error(paths_.root, "not a RegionLab collection yet (no .regionlab/regionlab.db): ingest it first");
  db_ = Database::open(paths_.database);
  feedback_store_ = std::make_unique<FeedbackStore>(*db_);
  label_store_ = std::make_unique<LabelStore>(*db_);
}

ConceptSession::~ConceptSession() { cancelTraining(); }

std::unique_ptr<ConceptSession> ConceptSession::start(const std::filesystem::path& collection_root, const RegionVectorSet& vectors,
                                                      int64_t descriptor_id, const QueryVector& query, const ConceptOptions& options) {
  if (int(query.vector.size()) != vectors.dim()) {
    throw Error("query vector has " + std::to_string(query.vector.size()) + " values, the collection's vectors " +
                std::to_string(vectors.dim()));
  }
  std::unique_ptr<ConceptSession> s(new ConceptSession(collection_root, vectors, descriptor_id, options));
  const int64_t id = s->feedback_store_->createQuery(query.image_id, query.region_id, descriptor_id, query.vector);
  s->query_ = *s->feedback_store_->readQuery(id);
  s->loadState();
  return s;
}

std::unique_ptr<ConceptSession> ConceptSession::open(const std::filesystem::path& collection_root, const RegionVectorSet& vectors,
                                                     int64_t descriptor_id, int64_t query_id, const ConceptOptions& options) {
  std::unique_ptr<ConceptSession> s(new ConceptSession(collection_root, vectors, descriptor_id, options));
  auto q = s->feedback_store_->readQuery(query_id);
  if (!q) throw Error(s->paths_.database, "concept " + std::to_string(query_id) + " does not exist");
  if (q->model_id != descriptor_id) {
    const auto made = s->db_->readModel(q->model_id), now = s->db_->readModel(descriptor_id);
    throw Error(s->paths_.database, "concept " + std::to_string(query_id) + " was made with descriptor " + (made ? made->name : "?") +
                                        ", the collection now uses " + (now ? now->name : "?") + "; start a new concept");
  }
  if (int(q->vector.size()) != vectors.dim()) throw Error(s->paths_.database, "concept vector size differs from the collection's vectors");
  s->query_ = std::move(*q);
  s->loadState();
  return s;
}

void ConceptSession::loadState() {
  log_ = feedback_store_->readFeedback(query_.id);
  verdicts_ = effectiveVerdicts(log_);
  refreshJudgedImages();
  ensureSlots();
}

std::optional<ClassRecord> ConceptSession::conceptClass() {
  if (!query_.class_id) return std::nullopt;
  return label_store_->readClass(*query_.class_id);
}

std::optional<Verdict> ConceptSession::verdictOf(int64_t region_id) const {
  const auto it = verdicts_.find(region_id);
  if (it == verdicts_.end()) return std::nullopt;
  return it->second;
}

void ConceptSession::refreshJudgedImages() {
  judged_images_.clear();
  for (const auto& [region, verdict] : verdicts_) {
    if (const auto row = vectors_.rowOfRegion(region)) {
      judged_images_.insert(vectors_.imageId(*row));
    } else if (const auto record = db_->readRegion(region)) {
      judged_images_.insert(record->image_id);
    }
  }
}

void ConceptSession::ensureSlots() {
  if (query_ranking_ && slots_.rows() == vectors_.size()) return;
  slots_ = buildImageSlots(vectors_);
  query_ranking_ = rankRegions(vectors_, slots_, query_.vector.data(), 0.f, options_.training.scoring_threads);
  std::lock_guard lock(mutex_);
  classifier_ranking_.reset();  // its image numbering is stale; the next retrain rebuilds it
}

// Keeps the user labels this concept made equal to {query region} ∪ {✓ regions} while it has a
// class. Labels set by hand (query_id NULL) or by other concepts are never removed here.
void ConceptSession::syncLabels() {
  if (!query_.class_id) return;
  const int64_t cls = *query_.class_id;
  std::unordered_set<int64_t> accepted;
  for (const auto& [region, verdict] : verdicts_) {
    if (verdict == Verdict::Accept) accepted.insert(region);
  }
  if (query_.region_id) accepted.insert(*query_.region_id);
  std::unordered_set<int64_t> labeled;
  for (const LabelRecord& l : label_store_->readLabelsOfQuery(query_.id)) {
    if (l.source != LabelSource::User) continue;
    if (l.class_id != cls || !accepted.contains(l.region_id)) {
      label_store_->deleteLabel(l.id);
    } else {
      labeled.insert(l.region_id);
    }
  }
  for (const int64_t region : accepted) {
    if (!labeled.contains(region)) label_store_->setUserLabel(region, cls, query_.id);
  }
}

std::vector<int64_t> ConceptSession::addFeedback(std::span<const FeedbackItem> items) {
  std::vector<int64_t> ids;
  Database::Transaction transaction(*db_);
  std::vector<FeedbackRecord> added;
  for (const FeedbackItem& item : items) {
    const int64_t id = feedback_store_->addFeedback(query_.id, item.region_id, item.verdict);
    ids.push_back(id);
    added.push_back(*feedback_store_->readFeedbackItem(id));
  }
  const auto previous = verdicts_;
  for (const FeedbackRecord& f : added) verdicts_[f.region_id] = f.verdict;
  try {
    syncLabels();
    transaction.commit();
  } catch (...) {
    verdicts_ = previous;
    throw;
  }
  log_.insert(log_.end(), added.begin(), added.end());
  refreshJudgedImages();
  return ids;
}

int64_t ConceptSession::addFeedback(int64_t region_id, Verdict verdict) {
  const FeedbackItem item{region_id, verdict};
  return addFeedback(std::span<const FeedbackItem>(&item, 1)).front();
}

std::vector<int64_t> ConceptSession::submitFeedback(std::span<const FeedbackItem> items, std::function<void(const TrainingReport&)> on_trained) {
  std::vector<int64_t> ids = addFeedback(items);
  retrainInBackground(std::move(on_trained));
  return ids;
}

bool ConceptSession::removeFeedback(int64_t feedback_id) {
  const auto it = std::find_if(log_.begin(), log_.end(), [&](const FeedbackRecord& f) { return f.id == feedback_id; });
  if (it == log_.end()) return false;
  std::vector<FeedbackRecord> remaining(log_.begin(), it);
  remaining.insert(remaining.end(), it + 1, log_.end());
  Database::Transaction transaction(*db_);
  feedback_store_->deleteFeedback(feedback_id);
  const auto previous = verdicts_;
  verdicts_ = effectiveVerdicts(remaining);
  try {
    syncLabels();
    transaction.commit();
  } catch (...) {
    verdicts_ = previous;
    throw;
  }
  log_ = std::move(remaining);
  refreshJudgedImages();
  return true;
}

std::optional<FeedbackRecord> ConceptSession::undoLastFeedback() {
  if (log_.empty()) return std::nullopt;
  const FeedbackRecord last = log_.back();
  removeFeedback(last.id);
  return last;
}

ClassRecord ConceptSession::assignClass(const std::string& name, const std::string& color) {
  Database::Transaction transaction(*db_);
  const ClassRecord cls = label_store_->ensureClass(name, color);
  if (!color.empty() && normalizeClassColor(color) != cls.color) label_store_->setClassColor(cls.id, color);
  feedback_store_->setQueryClass(query_.id, cls.id);
  const auto previous = query_.class_id;
  query_.class_id = cls.id;
  try {
    syncLabels();
    transaction.commit();
  } catch (...) {
    query_.class_id = previous;
    throw;
  }
  return *label_store_->readClass(cls.id);
}

void ConceptSession::clearClass() {
  if (!query_.class_id) return;
  Database::Transaction transaction(*db_);
  feedback_store_->setQueryClass(query_.id, std::nullopt);
  for (const LabelRecord& l : label_store_->readLabelsOfQuery(query_.id)) {
    if (l.source == LabelSource::User) label_store_->deleteLabel(l.id);
  }
  transaction.commit();
  query_.class_id.reset();
}

ConceptTrainingSet ConceptSession::buildTrainingSet(TrainingReport& report) {
  ConceptTrainingSet set;
  set.dim = vectors_.dim();
  set.positives = query_.vector;
  // Region → +1/−1, later sources overriding earlier ones: the class's user labels, then the
  // class's other concepts' verdicts, then this concept's verdicts. Ordered for determinism.
  // Query regions are already in as query vectors and are not counted twice.
  std::map<int64_t, Verdict> verdicts;
  std::unordered_set<int64_t> query_regions;
  if (query_.region_id) query_regions.insert(*query_.region_id);
  if (query_.class_id) {
    for (const LabelRecord& l : label_store_->readLabels(LabelSource::User, *query_.class_id)) verdicts[l.region_id] = Verdict::Accept;
    for (const QueryRecord& other : feedback_store_->readQueries(*query_.class_id)) {
      if (other.id == query_.id || other.model_id != descriptor_id_) continue;
      set.positives.insert(set.positives.end(), other.vector.begin(), other.vector.end());
      if (other.region_id) query_regions.insert(*other.region_id);
      for (const auto& [region, verdict] : effectiveVerdicts(feedback_store_->readFeedback(other.id))) verdicts[region] = verdict;
    }
  }
  for (const auto& [region, verdict] : verdicts_) verdicts[region] = verdict;
  for (const int64_t region : query_regions) verdicts.erase(region);

  std::unordered_set<uint32_t> used_rows;
  for (const int64_t region : query_regions) {
    if (const auto row = vectors_.rowOfRegion(region)) used_rows.insert(uint32_t(*row));
  }
  for (const auto& [region, verdict] : verdicts) {
    const auto row = vectors_.rowOfRegion(region);
    if (!row) {
      ++report.missing_vectors;
      continue;
    }
    used_rows.insert(uint32_t(*row));
    auto& target = verdict == Verdict::Accept ? set.positives : set.negatives;
    target.insert(target.end(), vectors_.vector(*row), vectors_.vector(*row) + set.dim);
  }
  set.weak_negative_rows = sampleWeakNegativeRows(vectors_.size(), options_.training.weak_negatives, options_.training.seed, used_rows);
  report.positives = set.positiveCount();
  report.negatives = set.negativeCount();
  report.weak_negatives = set.weak_negative_rows.size();
  return set;
}

void ConceptSession::install(ConceptModel&& model, TrainingReport& report, bool from_feedback) {
  report.iterations = model.optimizer.iterations;
  report.converged = model.optimizer.converged;
  report.train_seconds = model.train_seconds;
  report.score_seconds = model.score_seconds;
  if (!model.ranking) {
    report.cancelled = true;
    return;
  }
  std::lock_guard lock(mutex_);
  model_ = std::move(model.model);
  classifier_ranking_ = std::move(model.ranking);
  classifier_from_feedback_ = from_feedback;
  report.version = ++version_;
}

TrainingReport ConceptSession::retrain() {
  cancelTraining();
  ensureSlots();
  TrainingReport report;
  const ConceptTrainingSet set = buildTrainingSet(report);
  const bool from_feedback = report.positives + report.negatives > query_.vector.size() / size_t(set.dim);
  const std::optional<LinearModel> warm = classifier();
  install(trainConcept(set, vectors_, slots_, options_.training, warm ? &*warm : nullptr), report, from_feedback);
  return report;
}

void ConceptSession::retrainInBackground(std::function<void(const TrainingReport&)> on_finished) {
  if (worker_.joinable() && worker_.get_id() == std::this_thread::get_id()) {
    throw Error("retrainInBackground was called from a training callback: post it to the session's own thread");
  }
  cancelTraining();
  ensureSlots();
  TrainingReport report;
  ConceptTrainingSet set = buildTrainingSet(report);
  const bool from_feedback = report.positives + report.negatives > query_.vector.size() / size_t(set.dim);
  std::optional<LinearModel> warm = classifier();
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  cancel_ = cancel;
  training_ = true;
  worker_ = std::thread([this, set = std::move(set), warm = std::move(warm), cancel, report, from_feedback,
                         on_finished = std::move(on_finished)]() mutable {
    try {
      install(trainConcept(set, vectors_, slots_, options_.training, warm ? &*warm : nullptr, cancel.get()), report, from_feedback);
    } catch (const std::exception& e) {
      report.error = e.what();
    }
    training_ = false;
    if (on_finished) on_finished(report);
  });
}

void ConceptSession::joinWorker() {
  if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
}

void ConceptSession::cancelTraining() {
  if (cancel_) cancel_->store(true);
  joinWorker();
}

void ConceptSession::waitForTraining() { joinWorker(); }

bool ConceptSession::isTraining() const { return training_.load(); }

int ConceptSession::classifierVersion() const {
  std::lock_guard lock(mutex_);
  return version_;
}

std::optional<LinearModel> ConceptSession::classifier() const {
  std::lock_guard lock(mutex_);
  if (model_.empty()) return std::nullopt;
  return model_;
}

std::shared_ptr<const RegionRanking> ConceptSession::currentRanking(RankingMode mode, int* version, bool* classifier) const {
  std::shared_ptr<const RegionRanking> ranking;
  {
    std::lock_guard lock(mutex_);
    if (version) *version = version_;
    if (mode == RankingMode::Uncertainty) {
      if (!classifier_ranking_) throw Error("uncertainty ranking needs a trained classifier: retrain first");
      ranking = classifier_ranking_;
    } else if (classifier_ranking_ && classifier_from_feedback_) {
      ranking = classifier_ranking_;
    }
  }
  if (classifier) *classifier = ranking != nullptr;
  return ranking ? ranking : query_ranking_;
}

RankedPage ConceptSession::rank(const RankRequest& request) const {
  RankedPage page;
  bool classifier = false;
  const std::shared_ptr<const RegionRanking> ranking = currentRanking(request.mode, &page.classifier_version, &classifier);
  page.ranker = classifier ? "classifier" : "query";
  const bool by_score = request.mode == RankingMode::Score;
  const auto& order = by_score ? ranking->slots_by_score : ranking->slots_by_boundary;
  const auto& row_of = by_score ? ranking->best_row : ranking->nearest_row;
  const int64_t query_image = query_.image_id.value_or(0);
  for (const uint32_t slot : order) {
    const int64_t image = slots_.image_of_slot[slot];
    if (!request.include_query_image && image == query_image) continue;
    if (request.skip_judged && judged_images_.contains(image)) continue;
    const size_t position = page.total++;
    if (position < request.offset || position >= request.offset + request.count) continue;
    const uint32_t row = row_of[slot];
    const float score = ranking->scores[row];
    page.hits.push_back({image, vectors_.regionId(row), score, classifier ? sigmoid(score) : -1.f});
  }
  return page;
}

std::vector<RankedHit> ConceptSession::scoreImages(std::span<const int64_t> image_ids, RankingMode mode) const {
  bool classifier = false;
  const std::shared_ptr<const RegionRanking> ranking = currentRanking(mode, nullptr, &classifier);
  std::vector<RankedHit> hits;
  hits.reserve(image_ids.size());
  for (const int64_t image : image_ids) {
    // The same pick as RegionRanking's best_row / nearest_row, for this image's rows only.
    std::optional<uint32_t> pick;
    for (const uint32_t row : vectors_.rowsOfImage(image)) {
      if (row >= ranking->scores.size()) continue;  // appended after this ranking was made
      const float score = ranking->scores[row];
      if (!pick) { pick = row; continue; }
      const float held = ranking->scores[*pick];
      if (mode == RankingMode::Score ? score > held : std::abs(score) < std::abs(held)) pick = row;
    }
    if (!pick) continue;
    const float score = ranking->scores[*pick];
    hits.push_back({image, vectors_.regionId(*pick), score, classifier ? sigmoid(score) : -1.f});
  }
  return hits;
}

std::optional<float> ConceptSession::scoreOfRegion(int64_t region_id) const {
  const std::shared_ptr<const RegionRanking> ranking = currentRanking(RankingMode::Score, nullptr, nullptr);
  const std::optional<size_t> row = vectors_.rowOfRegion(region_id);
  if (!row || *row >= ranking->scores.size()) return std::nullopt;
  return ranking->scores[*row];
}

}  // namespace regionlab
