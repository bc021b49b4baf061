#!/usr/bin/env bash
# guard-eval.sh — recomputes the two quality numbers in docs/guard.md: the false-block rate of the
# block rules on the real agent replies of jddc2019_sample, and the C-11 emotion accuracy/F1 on
# online_shopping_10_cats. Test-only data is read in place from ../shared/data.
# Usage: scripts/guard-eval.sh [BUILD_DIR]   (needs bench_guard_eval built there)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${BUILD:-$root/build}}
bin=$build/bench_guard_eval
data=${KEFU_SHARED_DIR:-$root/../shared}/data
[ -x "$bin" ] || { echo "bench_guard_eval not found at $bin (cmake --build $build --target bench_guard_eval)" >&2; exit 1; }
export KEFU_SOURCE_DIR=$root
echo "== false blocks on real agent replies (every blocked reply listed)"
"$bin" falseblock "$data/jddc2019_sample/chat_0.1per.txt" --show 1000
echo
echo "== emotion (C-11) against online_shopping_10_cats labels"
"$bin" emotion "$data/online_shopping_10_cats/online_shopping_10_cats.csv"
