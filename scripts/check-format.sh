#!/usr/bin/env bash
# Fails when a tracked C file differs from what .clang-format produces (`make format` fixes it).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')
bad=0
for f in $files; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "format: $f differs from .clang-format (run: make format)"
    bad=1
  fi
done
exit $bad
