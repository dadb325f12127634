#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the whole test suite (GUI tests
# offscreen). Tests labelled "slow" (package builds) are left to `ctest -L slow`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
bash packaging/build.sh
export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure --label-exclude slow -j "$(nproc)"
