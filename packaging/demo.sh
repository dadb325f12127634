#!/usr/bin/env bash
# The main job on the embedded default (no model weights): installs what is missing, builds,
# ingests a demo collection of real photos shipped by Debian (scikit-image's sample images),
# then opens the GUI on it — or, without a display, runs a sample one-shot query through the
# CLI and prints the ranked results.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh --demo
bash packaging/build.sh

photos=/usr/lib/python3/dist-packages/skimage/data
demo=build/demo-collection
mkdir -p "$demo"
for f in astronaut.png chelsea.png coffee.png motorcycle_left.png motorcycle_right.png rocket.jpg \
         hubble_deep_field.jpg retina.jpg ihc.png camera.png coins.png moon.png brick.png grass.png \
         gravel.png cell.png clock_motion.png color.png; do
  [[ -f "$demo/$f" ]] || cp "$photos/$f" "$demo/$f"
done

build/bin/regionlab-cli ingest "$demo"
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  exec build/bin/regionlab "$demo"
fi
echo
echo "No display: a sample query instead. Click = the region under (400, 200) in motorcycle_left.png"
echo "(the red fuel tank); images are ranked by their best-matching region."
build/bin/regionlab-cli query "$demo" --image motorcycle_left.png --point 400,200 --top 8
