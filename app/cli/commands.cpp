#include "app/cli/commands.h"

namespace regionlab::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"ingest", "Cut a folder's images into regions, embed them and store them in <folder>/.regionlab", &runIngest},
      {"query", "Find the images holding something like a region (one-shot retrieval)", &runQuery},
      {"info", "Counts, models and failed images of a collection", &runInfo},
      {"clusters", "Group all regions into K clusters of similar regions (for bulk labeling)", &runClusters},
      {"export", "Write labels as COCO, COCO panoptic, Pascal VOC, YOLO-seg or labelme", &runExport},
      {"import", "Read COCO, COCO panoptic, YOLO-seg or labelme labels as user labels", &runImport},
      {"models", "Model checkpoints: list, download, import, verify, use", &runModels},
      {"learn", "Teach a concept with accept/reject feedback: start, feedback, undo, name, show, list", &runLearn},
      {"label", "Classes and labels: classes, add-class, set, remove, show, auto (semantic auto-labeling)", &runLabel},
      {"eval", "The regions paper's evaluations: retrieval (mAP, P@k) and semseg (mIoU vs oracle)", &runEval},
  };
  return kCommands;
}

}  // namespace regionlab::cli
