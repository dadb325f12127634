// The interactive learning loop on a collection with a known concept: the query alone cannot
// tell the concept from a look-alike; a few ✓/✗ and a retrain can. Feedback persists across
// sessions and can be undone; naming the concept turns ✓ into user labels that follow undo;
// background retraining reports through its callback; paging and uncertainty mode behave.
#include <QtTest>

#include <future>
#include <set>

#include "core/base/error.h"
#include "core/learning/concept_session.h"
#include "core/storage/feedback_store.h"
#include "core/storage/label_store.h"
#include "synthetic_collection.h"

using namespace regionlab;
using regionlab::test::SyntheticCollection;

namespace {

// Query = e0 + e1. Concept images hold an e0 region, look-alikes an e1 region (both score ≈ 0.7
// against the query), background images e5 + e6 regions; every image also has a filler region.
struct Scene {
  SyntheticCollection c;
  std::vector<int64_t> concept_regions, lookalike_regions;
  std::set<int64_t> concept_images, lookalike_images;
  QueryVector query;

  Scene() {
    const auto query_regions = c.addImage("query.jpg", {SyntheticCollection::axes({0, 1}), c.around(SyntheticCollection::axes({7}), 0.1f)});
    for (int i = 0; i < 12; ++i) {
      const auto ids = c.addImage("concept" + std::to_string(i) + ".jpg",
                                  {c.around(SyntheticCollection::axes({0}), 0.15f), c.around(SyntheticCollection::axes({4, 7}), 0.3f)});
      concept_regions.push_back(ids[0]);
      concept_images.insert(c.image_ids.back());
      const auto other = c.addImage("lookalike" + std::to_string(i) + ".jpg",
                                    {c.around(SyntheticCollection::axes({1}), 0.15f), c.around(SyntheticCollection::axes({4, 7}), 0.3f)});
      lookalike_regions.push_back(other[0]);
      lookalike_images.insert(c.image_ids.back());
      c.addImage("background" + std::to_string(i) + ".jpg",
                 {c.around(SyntheticCollection::axes({5, 6}), 0.3f), c.around(SyntheticCollection::axes({2, 3}), 0.3f)});
    }
    query.image_id = c.image_ids.front();
    query.image = "query.jpg";
    query.region_id = query_regions[0];
    query.vector = c.around(SyntheticCollection::axes({0, 1}), 0.f);
  }

  int conceptHits(const RankedPage& page) const {
    int n = 0;
    for (const RankedHit& h : page.hits) n += concept_images.contains(h.image_id);
    return n;
  }
};

ConceptOptions smallOptions() {
  ConceptOptions o;
  o.training.weak_negatives = 20;
  return o;
}

}  // namespace

class TestConceptSession : public QObject {
  Q_OBJECT

private slots:
  void queryRankingIsMaxOverRegionsDotProduct() {
    Scene s;
    const RegionVectorSet vectors = s.c.loadVectors();
    auto session = ConceptSession::start(s.c.paths.root, vectors, s.c.descriptor, s.query, smallOptions());
    const RankedPage page = session->rank({.count = 100});
    QCOMPARE(page.ranker, std::string("query"));
    QCOMPARE(page.total, size_t(36));  // every image but the query's
    // Brute force: each image's best q·r.
    for (const RankedHit& h : page.hits) {
      float best = -1e9f;
      for (const uint32_t row : vectors.rowsOfImage(h.image_id)) {
        float d = 0;
        for (int j = 0; j < vectors.dim(); ++j) d += s.query.vector[j] * vectors.vector(row)[j];
        best = std::max(best, d);
      }
      QVERIFY(std::abs(best - h.score) < 1e-5f);
      QCOMPARE(h.probability, -1.f);
    }
    for (size_t i = 1; i < page.hits.size(); ++i) QVERIFY(page.hits[i - 1].score >= page.hits[i].score);
  }

  void feedbackTeachesTheConceptApartFromLookalikes() {
    Scene s;
    const RegionVectorSet vectors = s.c.loadVectors();
    auto session = ConceptSession::start(s.c.paths.root, vectors, s.c.descriptor, s.query, smallOptions());
    const int before = s.conceptHits(session->rank({.count = 10}));
    const std::vector<FeedbackItem> batch = {{s.concept_regions[0], Verdict::Accept},
                                             {s.concept_regions[1], Verdict::Accept},
                                             {s.lookalike_regions[0], Verdict::Reject},
                                             {s.lookalike_regions[1], Verdict::Reject}};
    session->addFeedback(batch);
    const TrainingReport report = session->retrain();
    QCOMPARE(report.version, 1);
    QCOMPARE(report.positives, size_t(3));  // query + 2 ✓
    QCOMPARE(report.negatives, size_t(2));
    QCOMPARE(report.weak_negatives, size_t(20));
    const RankedPage page = session->rank({.count = 10});
    QCOMPARE(page.ranker, std::string("classifier"));
    QCOMPARE(page.total, size_t(36 - 4));  // judged images are left out
    QVERIFY2(before < 10, "the query alone should not separate the concept from its look-alikes");
    QCOMPARE(s.conceptHits(page), 10);  // the 10 unjudged concept images fill the first page
    for (const RankedHit& h : page.hits) QVERIFY(h.probability > 0.5f);
  }

  void feedbackPersistsAndUndoRestoresThePreviousVerdict() {
    Scene s;
    const RegionVectorSet vectors = s.c.loadVectors();
    int64_t query_id = 0;
    {
      auto session = ConceptSession::start(s.c.paths.root, vectors, s.c.descriptor, s.query, smallOptions());
      query_id = session->queryId();
      session->addFeedback(s.concept_regions[0], Verdict::Accept);
      session->addFeedback(s.concept_regions[0], Verdict::Reject);  // changed my mind
      session->addFeedback(s.lookalike_regions[0], Verdict::Reject);
    }
    auto session = ConceptSession::open(s.c.paths.root, vectors, s.c.descriptor, query_id, smallOptions());
    QCOMPARE(session->feedback().size(), size_t(3));
    QCOMPARE(session->verdictOf(s.concept_regions[0]), std::optional(Verdict::Reject));
    QVERIFY(session->undoLastFeedback());  // the look-alike ✗
    QVERIFY(session->undoLastFeedback());  // the change of mind
    QCOMPARE(session->verdictOf(s.concept_regions[0]), std::optional(Verdict::Accept));
    QCOMPARE(session->verdictOf(s.lookalike_regions[0]), std::nullopt);
    session.reset();
    FeedbackStore store(*s.c.db);
    const auto log = store.readFeedback(query_id);
    QCOMPARE(log.size(), size_t(1));
    QCOMPARE(log[0].verdict, Verdict::Accept);
    QVERIFY(!log[0].time.empty());
    QVERIFY_THROWS_EXCEPTION(Error, ConceptSession::open(s.c.paths.root, vectors, s.c.descriptor, query_id + 100));
  }

  void namingTurnsAcceptedRegionsIntoLabelsThatFollowUndo() {
    Scene s;
    const RegionVectorSet vectors = s.c.loadVectors();
    auto session = ConceptSession::start(s.c.paths.root, vectors, s.c.descriptor, s.query, smallOptions());
    LabelStore labels(*s.c.db);
    const ClassRecord manual = labels.createClass("manual");
    labels.setUserLabel(s.concept_regions[3], manual.id);  // set by hand before the concept existed

    session->addFeedback(s.concept_regions[0], Verdict::Accept);
    const ClassRecord cls = session->assignClass("widget", "#FF8800");
    QCOMPARE(cls.name, std::string("widget"));
    QCOMPARE(cls.color, std::string("#ff8800"));
    QCOMPARE(session->conceptClass()->id, cls.id);
    auto made = labels.readLabelsOfQuery(session->queryId());
    QCOMPARE(made.size(), size_t(2));  // the query region and the ✓ region
    for (const LabelRecord& l : made) {
      QCOMPARE(l.class_id, cls.id);
      QCOMPARE(l.source, LabelSource::User);
    }
    session->addFeedback(s.concept_regions[1], Verdict::Accept);
    QCOMPARE(labels.readLabelsOfQuery(session->queryId()).size(), size_t(3));
    session->undoLastFeedback();
    QCOMPARE(labels.readLabelsOfQuery(session->queryId()).size(), size_t(2));
    QVERIFY(labels.readLabelsOfRegion(s.concept_regions[1]).empty());
    // A ✗ on a region labeled by hand leaves the hand's label alone.
    session->addFeedback(s.concept_regions[3], Verdict::Reject);
    QCOMPARE(labels.readLabelsOfRegion(s.concept_regions[3]).size(), size_t(1));
    QCOMPARE(labels.readLabelsOfRegion(s.concept_regions[3])[0].class_id, manual.id);
    // Once named, training also uses the class's labels (the ✓ region is counted once).
    const TrainingReport r = session->retrain();
    QCOMPARE(r.positives, size_t(2));
    QCOMPARE(r.negatives, size_t(1));
    // Un-naming (the GUI's undo of the naming) takes the concept's labels back, nothing else.
    session->clearClass();
    QVERIFY(!session->conceptClass());
    QVERIFY(labels.readLabelsOfQuery(session->queryId()).empty());
    QCOMPARE(labels.readLabelsOfRegion(s.concept_regions[3])[0].class_id, manual.id);
    QCOMPARE(session->feedback().size(), size_t(2));
    auto reopened = ConceptSession::open(s.c.paths.root, vectors, s.c.descriptor, session->queryId(), smallOptions());
    QVERIFY(!reopened->conceptClass());
    QVERIFY(labels.readClass(cls.id));  // the class itself stays
  }

  void retrainsInTheBackgroundAndCallsBack() {
    Scene s;
    const RegionVectorSet vectors = s.c.loadVectors();
    auto session = ConceptSession::start(s.c.paths.root, vectors, s.c.descriptor, s.query, smallOptions());
    session->addFeedback(s.concept_regions[0], Verdict::Accept);
    session->addFeedback(s.lookalike_regions[0], Verdict::Reject);
    // Two requests in a row: the first may be cancelled by the second; the last one finishes.
    std::promise<TrainingReport> first, second;
    session->retrainInBackground([&](const TrainingReport& r) { first.set_value(r); });
    const FeedbackItem more[] = {{s.concept_regions[1], Verdict::Accept}};
    session->submitFeedback(more, [&](const TrainingReport& r) { second.set_value(r); });
    const TrainingReport a = first.get_future().get();
    const TrainingReport b = second.get_future().get();
    QVERIFY(a.error.empty() && b.error.empty());
    QVERIFY(!b.cancelled);
    QVERIFY(b.version >= 1 && b.version > a.version);
    QCOMPARE(b.positives, size_t(3));  // the second training saw the submitted ✓
    session->waitForTraining();
    QVERIFY(!session->isTraining());
    QCOMPARE(session->classifierVersion(), b.version);
    QCOMPARE(session->rank({}).ranker, std::string("classifier"));
  }

  void pagesAndUncertaintyMode() {
    Scene s;
    const RegionVectorSet vectors = s.c.loadVectors();
    auto session = ConceptSession::start(s.c.paths.root, vectors, s.c.descriptor, s.query, smallOptions());
    QVERIFY_THROWS_EXCEPTION(Error, session->rank({.mode = RankingMode::Uncertainty}));
    session->addFeedback(s.concept_regions[0], Verdict::Accept);
    session->addFeedback(s.lookalike_regions[0], Verdict::Reject);
    session->retrain();
    const RankedPage p1 = session->rank({.offset = 0, .count = 5}), p2 = session->rank({.offset = 5, .count = 5});
    const RankedPage both = session->rank({.offset = 0, .count = 10});
    QCOMPARE(p1.hits.size() + p2.hits.size(), size_t(10));
    for (size_t i = 0; i < 5; ++i) {
      QCOMPARE(both.hits[i].image_id, p1.hits[i].image_id);
      QCOMPARE(both.hits[i + 5].image_id, p2.hits[i].image_id);
    }
    const RankedPage with_judged = session->rank({.count = 100, .skip_judged = false, .include_query_image = true});
    QCOMPARE(with_judged.total, size_t(37));
    const RankedPage uncertain = session->rank({.mode = RankingMode::Uncertainty, .count = 100});
    QCOMPARE(uncertain.total, p1.total);
    for (size_t i = 1; i < uncertain.hits.size(); ++i) QVERIFY(std::abs(uncertain.hits[i - 1].score) <= std::abs(uncertain.hits[i].score));
    // Nearest the boundary means probabilities near ½ come first.
    QVERIFY(std::abs(uncertain.hits.front().probability - 0.5f) <= std::abs(both.hits.front().probability - 0.5f));
    // scoreImages gives the listed images exactly what the ranking holds for them, in the order
    // asked, in both modes (the GUI re-ranks its results list with it).
    for (const RankedPage* page : {&with_judged, &uncertain}) {
      const RankingMode mode = page == &uncertain ? RankingMode::Uncertainty : RankingMode::Score;
      std::vector<int64_t> images;
      for (auto it = page->hits.rbegin(); it != page->hits.rend(); ++it) images.push_back(it->image_id);
      const std::vector<RankedHit> scored = session->scoreImages(images, mode);
      QCOMPARE(scored.size(), images.size());
      for (size_t i = 0; i < scored.size(); ++i) {
        const RankedHit& expected = page->hits[page->hits.size() - 1 - i];
        QCOMPARE(scored[i].image_id, expected.image_id);
        QCOMPARE(scored[i].region_id, expected.region_id);
        QCOMPARE(scored[i].score, expected.score);
        if (mode == RankingMode::Score) QCOMPARE(*session->scoreOfRegion(expected.region_id), expected.score);
      }
    }
    QVERIFY(!session->scoreOfRegion(-5).has_value());
  }

  void refusesAConceptOfAnotherDescriptor() {
    Scene s;
    const RegionVectorSet vectors = s.c.loadVectors();
    const int64_t other = s.c.db->ensureModel("descriptor", "other", "x", SyntheticCollection::kDim);
    auto session = ConceptSession::start(s.c.paths.root, vectors, s.c.descriptor, s.query, smallOptions());
    QVERIFY_THROWS_EXCEPTION(Error, ConceptSession::open(s.c.paths.root, vectors, other, session->queryId()));
  }
};

QTEST_GUILESS_MAIN(TestConceptSession)
#include "tst_concept_session.moc"
