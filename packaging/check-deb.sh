#!/usr/bin/env bash
# Builds the .deb and checks it without installing it on this machine:
#  1. cpack -G DEB in the build folder;
#  2. dpkg-deb --info / --contents: the control fields and the FHS layout;
#  3. the Depends line names the runtime libraries (from dpkg-shlibdeps) and OpenBLAS;
#  4. apt-get install --simulate ./regionlab_*.deb: every dependency resolves on this Debian;
#  5. the package extracted into a scratch root: regionlab-cli from there runs --version and
#     finds the installed manifest.
# Usage: packaging/check-deb.sh [build-dir]   (slow: strips and packs the binaries)
set -euo pipefail
build="${1:-build}"
cd "$build"
rm -f regionlab_*.deb
cpack -G DEB > cpack.log 2>&1 || { cat cpack.log; exit 1; }
deb=$(ls regionlab_*.deb)
echo "built $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --info "$deb" > deb-info.txt
dpkg-deb --contents "$deb" > deb-contents.txt
cat deb-info.txt
fail() { echo "FAIL: $*"; exit 1; }
for path in ./usr/bin/regionlab-cli ./usr/share/applications/regionlab.desktop ./usr/share/icons/hicolor/scalable/apps/regionlab.svg \
            ./usr/share/regionlab/manifest/models.json; do
  grep -q " ${path}\$" deb-contents.txt || fail "$path missing from the package"
done
depends=$(dpkg-deb --field "$deb" Depends)
for lib in libopencv-core4.6 libsqlite3-0 libcurl4 libopenblas0-openmp libc6; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
if command -v apt-get > /dev/null; then
  apt-get install --simulate --no-install-recommends "./$deb" > apt-simulate.log 2>&1 || { cat apt-simulate.log; fail "apt cannot install $deb"; }
  grep -E "^(Inst|Conf) regionlab" apt-simulate.log || fail "apt did not plan to install regionlab"
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
"$root/usr/bin/regionlab-cli" --version
REGIONLAB_MANIFEST="$root/usr/share/regionlab/manifest/models.json" REGIONLAB_MODEL_DIR="$root/models" \
  "$root/usr/bin/regionlab-cli" models list --json > "$root/models.json"
grep -q '"sam_vit_h"' "$root/models.json" || fail "the installed manifest does not list sam_vit_h"
if command -v desktop-file-validate > /dev/null; then desktop-file-validate "$root/usr/share/applications/regionlab.desktop"; fi
echo "package OK: $deb"
