#!/bin/sh
# The documented real-data evaluation of RegionLab's learning (not a unit test: it ingests ~220
# images, about a minute on 2 cores with the embedded default pipeline):
#   - one-shot retrieval on coco128_lightly's public split (COCO panoptic GT, train + val parts);
#   - semantic labeling on coco128_lightly (semantic masks; train2017 images train, val2017 test);
#   - semantic labeling on camvid_seq05vd's public frames (first half trains, second half tests).
# JSON reports and PNG charts land in <scratch>/results/.
#
#   tools/eval/run_public_evals.sh <scratch dir> [<shared dir> [<build dir>]]
set -eu
scratch=$1
shared=${2:-$(dirname "$0")/../../../shared}
build=${3:-$(dirname "$0")/../../build}
cli="$build/bin/regionlab-cli"
coco="$shared/data/coco128_lightly"
camvid="$shared/data/camvid_seq05vd"
here=$(dirname "$0")
results="$scratch/results"
mkdir -p "$results"

[ -d "$scratch/coco" ] || "$here/public_split_collection.sh" "$coco" "$scratch/coco"
[ -d "$scratch/camvid" ] || "$here/public_split_collection.sh" "$camvid" "$scratch/camvid"
"$cli" ingest "$scratch/coco"
"$cli" ingest "$scratch/camvid"

"$cli" eval retrieval "$scratch/coco" \
  --coco-panoptic "$coco/panoptic_segmentation/annotations/panoptic_train2017.json,$coco/panoptic_segmentation/annotations/panoptic_val2017.json" \
  --chart "$results/coco_retrieval.png" --json > "$results/coco_retrieval.json"
"$cli" eval semseg "$scratch/coco" --labels "$coco/semantic_segmentation/masks" --ignore 0 \
  --coco-categories "$coco/panoptic_segmentation/annotations/panoptic_val2017.json" \
  --chart "$results/coco_semseg.png" --json > "$results/coco_semseg.json"
"$cli" eval semseg "$scratch/camvid" --labels "$camvid/labels" --ignore 11 \
  --class-names Sky,Building,Pole,Road,Pavement,Tree,SignSymbol,Fence,Car,Pedestrian,Bicyclist \
  --chart "$results/camvid_semseg.png" --json > "$results/camvid_semseg.json"
# The headline numbers (top-level keys of each report).
for f in "$results"/*.json; do
  /usr/bin/python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
keys = ["mAP", "precision_at_10", "precision_at_50", "random_mAP", "random_precision_at_10", "queries", "classes",
        "mIoU", "oracle_mIoU", "oracle_soft_mIoU", "pixel_accuracy", "coverage"]
print(sys.argv[1] + ": " + ", ".join("%s %s" % (k, round(r[k], 4) if isinstance(r[k], float) else r[k]) for k in keys if k in r))
if "baselines" in r:
    print("  baselines: " + ", ".join("%s mAP %.4f" % (k, v["mAP"]) for k, v in r["baselines"].items()))' "$f"
done
