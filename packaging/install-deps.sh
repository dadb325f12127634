#!/usr/bin/env bash
# Installs the Debian 12 packages RegionLab needs, skipping those already present (idempotent).
#   packaging/install-deps.sh          build + test dependencies
#   packaging/install-deps.sh --demo   also the sample photos of the demo collection
# Runs as root (or through sudo when available).
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache pkg-config
  qt6-base-dev                 # Qt 6 Widgets, Concurrent, Test, Network
  libtorch-dev
  libopenblas0-openmp          # without it libtorch runs on the reference BLAS, ~30x slower
  libblas-dev                  # sgemm_ for the full-data Lloyd reference of regionlab-bench drq
  libopencv-dev                # includes the contrib modules (ximgproc: SLIC, graph segmentation)
  libhnswlib-dev
  libsqlite3-dev
  nlohmann-json3-dev
  libcurl4-openssl-dev         # model downloads (https, HTTP Range resume)
  zlib1g-dev                   # palette PNGs of the Pascal VOC export
  xvfb xauth                   # headless GUI runs (tests use QT_QPA_PLATFORM=offscreen)
)
if [[ "${1:-}" == "--demo" ]]; then
  packages+=(python3-skimage)  # ships real sample photos in its data folder (the demo collection)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
