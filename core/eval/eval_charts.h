#pragma once
// The charts `regionlab-cli eval` writes beside its JSON: per-class bars of each method, with
// the means as reference lines, so a reader sees at once how far above chance (retrieval) or
// how close to the oracle (semantic segmentation) the regions get.
#include "core/eval/bar_chart.h"
#include "core/eval/retrieval_eval.h"
#include "core/eval/semseg_eval.h"

namespace regionlab {

// Per class: AP of the region ranking, of the baselines (when run) and of a random ranking.
BarChart retrievalChart(const RetrievalEvalReport& report);
// Per class: IoU of the classifier and of the majority oracle.
BarChart semsegChart(const SemsegEvalReport& report);

}  // namespace regionlab
