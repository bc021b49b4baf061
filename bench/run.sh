#!/usr/bin/env bash
# bench/run.sh — runs every benchmark: each bench/*/run.sh in name order, with the same build
# directory argument. Stops at the first one that fails. `make bench` calls it.
# Usage: bench/run.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for s in "$here"/*/run.sh; do
	echo "=== ${s#"$here"/}"
	bash "$s" "$@"
done
