#!/usr/bin/env bash
# run.sh — the knowledge-base benchmark (issue 7): 100,000 generated articles, top-5 search
# queries/s and p99 latency, against FTS5's trigram tokenizer in the same run. Goal: p99 < 1 ms.
# Usage: bench/kb/run.sh [ARTICLES] [QUERIES]   (builds build-bench in RelWithDebInfo if needed)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build-bench}
if [ ! -x "$build/bench_kb" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$build" --target bench_kb -j "$(nproc)" >/dev/null
fi
"$build/bench_kb" "${1:-100000}" "${2:-2000}" 2> >(grep -v ' info ' >&2)
