#pragma once
// A one-shot query's answer as the GUI shows it: the ranked images with the region that matched
// (its outline, for drawing on the thumbnail) and the score, plus every image's score for the
// browser's "sort by score".
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include <QPainterPath>
#include <QRect>
#include <QString>

#include "core/learning/one_shot_query.h"

namespace regionlab::ui {

// What a concept (learning's ConceptSession) starts from: the resolved query and the descriptor
// whose vectors were compared. The concept is stored (queries table) at the first verdict on the
// results; query_id is written and read only by tasks on the label service's executor.
struct QuerySeed {
  QueryVector query;
  int64_t model_id = 0;
  int64_t query_id = 0;  // 0 until the first verdict
};

struct ResultItem {
  int64_t image_id = 0;
  QString path;  // relative to the collection
  int64_t region_id = 0;
  float score = 0;
  QRect bbox;
  QSize image_size;     // the region grid's size (outline coordinates)
  QPainterPath outline;  // of the matched region, in image pixels
};

struct ResultSet {
  int sequence = 0;  // increases with every query of the session
  int64_t query_image_id = 0;
  QString query_image;
  int64_t query_region_id = 0;
  QPainterPath query_shape;
  QString descriptor;
  QString method;
  double seconds = 0;
  int64_t images_searched = 0;
  std::vector<ResultItem> items;
  // Who ranked `items`: "query" (the one-shot search) or "classifier" (the concept's, once
  // trained on ✓/✗); classifier_version is 0 for the query ranking.
  QString ranker = QStringLiteral("query");
  int classifier_version = 0;
  size_t total = 0;  // results the ranking holds (more than `items` when "find more" can add some)
  std::unordered_map<int64_t, float> score_by_image;  // every scored image
  std::shared_ptr<QuerySeed> record;
};

}  // namespace regionlab::ui
