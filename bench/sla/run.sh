#!/usr/bin/env bash
# run.sh — the SLA benchmark (issue 6): schedule and fire N timers (default 1,000,000) with the SLA
# engine and, in the same run, with a periodic SQLite sweep over the same tickets; prints both and
# the ratio. Usage: bench/sla/run.sh [TICKETS]   (builds build-bench in RelWithDebInfo if needed)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build-bench}
if [ ! -x "$build/bench_sla" ] || [ -n "${REBUILD:-}" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$build" --target bench_sla -j "$(nproc)" >/dev/null
fi
cd "$root"
/usr/bin/time -f "peak RSS %M KB, %e s wall" "$build/bench_sla" "${1:-1000000}"
