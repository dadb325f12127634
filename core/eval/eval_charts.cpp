#include "core/eval/eval_charts.h"

#include <cmath>
#include <cstdio>

namespace regionlab {

namespace {

const cv::Scalar kRegions(180, 119, 31), kWholeImage(14, 127, 255), kCrop(44, 160, 44), kRandom(150, 150, 150), kOracle(40, 39, 214);

std::string withValue(const std::string& name, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %.3f", name.c_str(), v);
  return buf;
}

}  // namespace

BarChart retrievalChart(const RetrievalEvalReport& r) {
  BarChart chart;
  chart.title = "One-shot retrieval: AP per class (" + std::to_string(r.queries) + " queries, " + std::to_string(r.classes) +
                " classes, " + std::to_string(r.gallery_images) + " images)";
  chart.axis_label = "AP";
  ChartSeries regions{"regions (max over regions)", kRegions, {}}, whole{"whole image", kWholeImage, {}}, crop{"crop", kCrop, {}},
      random{"random", kRandom, {}};
  for (const ClassRetrievalResult& c : r.per_class) {
    chart.categories.push_back(c.name + " (" + std::to_string(c.queries) + ")");
    regions.values.push_back(c.regions.mean_ap);
    whole.values.push_back(c.whole_image.mean_ap);
    crop.values.push_back(c.crop.mean_ap);
    random.values.push_back(c.random.mean_ap);
  }
  chart.series.push_back(regions);
  chart.lines.push_back({withValue("mAP regions", r.regions.mean_ap), r.regions.mean_ap, kRegions});
  if (r.has_baselines) {
    chart.series.push_back(whole);
    chart.series.push_back(crop);
    chart.lines.push_back({withValue("whole", r.whole_image.mean_ap), r.whole_image.mean_ap, kWholeImage});
    chart.lines.push_back({withValue("crop", r.crop.mean_ap), r.crop.mean_ap, kCrop});
  }
  chart.series.push_back(random);
  chart.lines.push_back({withValue("random", r.random.mean_ap), r.random.mean_ap, kRandom});
  return chart;
}

BarChart semsegChart(const SemsegEvalReport& r) {
  BarChart chart;
  chart.title = "Semantic labeling: IoU per class (" + std::to_string(r.train_images) + " train / " + std::to_string(r.test_images) +
                " test images, " + r.classifier + " head)";
  chart.axis_label = "IoU";
  ChartSeries actual{"classifier", kRegions, {}}, oracle{"oracle (majority class per region)", kOracle, {}};
  for (const SemsegClassResult& c : r.per_class) {
    chart.categories.push_back(c.name);
    actual.values.push_back(c.iou.value_or(NAN));
    oracle.values.push_back(c.oracle_iou.value_or(NAN));
  }
  chart.series = {actual, oracle};
  chart.lines = {{withValue("mIoU", r.mean_iou), r.mean_iou, kRegions}, {withValue("oracle mIoU", r.oracle_mean_iou), r.oracle_mean_iou, kOracle}};
  return chart;
}

}  // namespace regionlab
