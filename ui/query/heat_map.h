#pragma once
// The similarity heat map of one image for a query (the regions paper's Figure 4): every pixel
// takes the highest score among the regions covering it — the same max-over-regions rule that
// ranks the image — so the map shows where in the image the match comes from.
#include <cstdint>
#include <utility>
#include <vector>

#include <QColor>
#include <QImage>

#include "core/regions/rle.h"

namespace regionlab::ui {

struct HeatMap {
  int64_t image_id = 0;
  QImage image;  // ARGB32 premultiplied, one pixel per `step`×`step` image pixels; uncovered: transparent
  int step = 1;
  QSize scene_size;
  float min_score = 0;  // the colour scale's ends (lowest and highest region score of the image)
  float max_score = 0;
};

// Colour of t in [0, 1] on a perceptually ordered blue → green → yellow → red scale.
QColor heatColor(double t);

// region_scores: each region's mask with its score against the query.
HeatMap buildHeatMap(QSize scene_size, const std::vector<std::pair<Rle, float>>& region_scores, int max_side = 1024);

}  // namespace regionlab::ui
