#!/bin/sh
# Makes a scratch collection of symlinks to the public split of a shared data set, so that it can
# be ingested and evaluated without writing into ../shared (read-only) and without copying data.
# The links keep the data set's relative layout (e.g. train2017/000000000009.jpg), so collection
# images map back to their ground truth by path or file stem.
#
#   tools/eval/public_split_collection.sh <dataset dir> <new collection dir>
#
# <dataset dir> holds images/ and split_public.txt (one image per line, with or without
# extension), as ../shared/data/coco128_lightly and ../shared/data/camvid_seq05vd do.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: $0 <dataset dir> <new collection dir>" >&2
  exit 2
fi
data=$(cd "$1" && pwd)
out=$2
[ -f "$data/split_public.txt" ] || { echo "$data/split_public.txt not found" >&2; exit 1; }
mkdir -p "$out"
count=0
while IFS= read -r entry || [ -n "$entry" ]; do
  [ -n "$entry" ] || continue
  if [ -f "$data/images/$entry" ]; then
    rel=$entry
  elif [ -f "$data/images/$entry.jpg" ]; then
    rel=$entry.jpg
  elif [ -f "$data/images/$entry.png" ]; then
    rel=$entry.png
  else
    echo "no image for '$entry' under $data/images" >&2
    exit 1
  fi
  mkdir -p "$out/$(dirname "$rel")"
  ln -sf "$data/images/$rel" "$out/$rel"
  count=$((count + 1))
done < "$data/split_public.txt"
echo "$out: $count images (public split of $data)"
