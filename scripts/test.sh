#!/usr/bin/env bash
# Runs every test layer and prints one closing line "N passed, N failed":
#   0. formatting: every C file as .clang-format makes it
#   1. unit tests (cmocka) in the sanitizer build (address + undefined)
#   2. integration tests: a real `kefu serve` (sanitizer build) on a loopback port, driven over
#      HTTP and WebSocket by node's test runner (tests/integration)
#   3. browser tests: playwright-core driving Debian's chromium against a real `kefu serve`
# Expects `make build asan web` to have run (make test does that first).
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
build=${KEFU_BUILD:-build}            # release build (browser tests)
asan_build=${KEFU_ASAN_BUILD:-build-asan} # sanitizer build (unit and integration tests)
passed=0
failed=0
log_dir=${KEFU_TEST_LOG_DIR:-$build/test-logs}
mkdir -p "$log_dir"

count_node() { # $1 = log file: adds node --test's "# pass N" / "# fail N"
  local p f
  p=$(grep -E '^# pass [0-9]+' "$1" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$1" | tail -1 | awk '{print $3}')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ -z "$p" ] && [ -z "$f" ]; then failed=$((failed + 1)); fi
}

echo "== formatting (.clang-format)"
if bash scripts/check-format.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== unit tests (sanitizer build)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd "$asan_build" && ctest --output-on-failure -j "$JOBS" --timeout 300) 2>&1 | tee "$log_dir/unit.log"
u_total=$(grep -Eo 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log_dir/unit.log" | tail -1)
if [ -n "$u_total" ]; then
  u_failed=$(echo "$u_total" | awk '{print $3}')
  u_all=$(echo "$u_total" | awk '{print $NF}')
  passed=$((passed + u_all - u_failed))
  failed=$((failed + u_failed))
else
  failed=$((failed + 1))
fi

echo "== integration tests (real kefu serve, sanitizer build)"
KEFU_CHECK_EXIT=1 KEFU_BIN="$asan_build/kefu" node --test --test-concurrency=1 tests/integration/ 2>&1 | tee "$log_dir/integration.log"
count_node "$log_dir/integration.log"

echo "== browser tests (playwright-core + chromium)"
KEFU_BIN="$build/kefu" node --test --test-concurrency=1 tests/e2e/ 2>&1 | tee "$log_dir/e2e.log"
count_node "$log_dir/e2e.log"

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
