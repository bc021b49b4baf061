#!/bin/sh
# run.sh — builds the libFuzzer harnesses with clang (KEFU_FUZZ=ON, the whole library instrumented
# with fuzzer-no-link + ASan/UBSan) and runs every fuzz_* for FUZZ_SECONDS (default 30) with the
# corpus in tests/fuzz/corpus-<name> (gitignored), seeded from tests/fuzz/seeds/<name>/.
# Usage: tests/fuzz/run.sh [name…]   Exit status: non-zero when a harness found a crash.
set -eu
cd "$(dirname "$0")/../.."
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}

if ! command -v clang >/dev/null 2>&1; then
	echo "run.sh: clang missing; installing it (libFuzzer ships in libclang-rt)" >&2
	apt-get install -y clang >/dev/null
fi
# libFuzzer's runtime lives in libclang-rt-<ver>-dev on newer Debian; bookworm ships it with clang.
CC=clang cmake -S . -B "$BUILD" -DKEFU_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
	-DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" >/dev/null

names=${*:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')}
cmake --build "$BUILD" -j"$(nproc)" --target $names

status=0
for n in $names; do
	corpus=tests/fuzz/corpus-$n
	mkdir -p "$corpus"
	if [ -d "tests/fuzz/seeds/$n" ]; then
		cp -n tests/fuzz/seeds/"$n"/* "$corpus"/ 2>/dev/null || true
	fi
	echo "== $n for ${FUZZ_SECONDS}s"
	if ! "$BUILD/$n" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$BUILD/$n-" "$corpus" 2>"$BUILD/$n.log"; then
		echo "!! $n found a problem; see $BUILD/$n.log and $BUILD/$n-*" >&2
		tail -40 "$BUILD/$n.log" >&2
		status=1
	else
		tail -1 "$BUILD/$n.log"
	fi
done
exit $status
