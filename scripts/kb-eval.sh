#!/usr/bin/env bash
# kb-eval.sh — recomputes the knowledge-base search evaluation of docs/kb.md (issue 7, KB-2) on the
# ATEC question pairs, read from ../shared/data/atec (research-only: never copied). Prints top-1 and
# top-5 hit rates of kefu's search and of FTS5 trigram / unicode61 BM25 baselines in the same run.
# Usage: scripts/kb-eval.sh [ATEC_CSV]   (builds build-bench in RelWithDebInfo if needed)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
csv=${1:-$root/../shared/data/atec/atec_nlp_sim_train.csv}
build=${BUILD:-$root/build-bench}
if [ ! -x "$build/bench_kb_eval" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$build" --target bench_kb_eval -j "$(nproc)" >/dev/null
fi
echo "== without synonyms"
"$build/bench_kb_eval" "$csv" 2> >(grep -v ' info ' >&2)
echo "== with the shipped data/kb synonyms"
"$build/bench_kb_eval" "$csv" "$root/data/kb" 2> >(grep -v ' info ' >&2) | grep '^kefu'
