#!/usr/bin/env bash
# bench/guard/run.sh — the guard benchmark (issue 4): messages/s on one core and p99 per message
# with the shipped lexicons and with a stress lexicon of every term in
# ../shared/data/sensitive_lexicon_konsheng, and in the same run the same corpus through
# `grep -F -f` and a PCRE2-JIT loop; prints ratios. Builds its corpus and stress lexicon in a temp
# directory (test-only data is read in place, never copied into the repository).
# Usage: bench/guard/run.sh [BUILD_DIR]   (default build; needs bench_guard built there)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${BUILD:-$root/build}}
bin=${BENCH_GUARD:-$build/bench_guard}
shared=${KEFU_SHARED_DIR:-$root/../shared}
data=$shared/data
cpu=${BENCH_CPU:-0}
[ -x "$bin" ] || { echo "bench_guard not found at $bin (cmake --build $build --target bench_guard)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kefu-bench-guard.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Corpus: one chat-sized message per line: all JDDC utterances + the online-shopping reviews.
awk -F'\t' '$7!="" && $7!="NULL"{print $7}' "$data/jddc2019_sample/chat_0.1per.txt" >"$tmp/corpus.txt"
awk -F, 'NR>1{sub(/^[^,]*,[^,]*,/,""); print}' "$data/online_shopping_10_cats/online_shopping_10_cats.csv" >>"$tmp/corpus.txt"
lines=$(wc -l <"$tmp/corpus.txt")

# Shipped literal patterns (for grep -F and the PCRE2 loop).
shipped=$root/data/lexicons
awk -F'\t' 'FNR>1 && !/^#/ && $2=="literal"{print $1}' "$shipped"/rules_*.tsv | sort -u >"$tmp/shipped.pat"

# Stress lexicon: shipped files + every konsheng term as a record-only rule.
mkdir "$tmp/stress"
cp "$shipped"/*.tsv "$tmp/stress/"
cat "$data"/sensitive_lexicon_konsheng/Vocabulary/*.txt | tr -d '\r' | iconv -f UTF-8 -t UTF-8 -c |
	LC_ALL=C grep -v '[[:cntrl:]]' | awk 'length($0)>=2 && length($0)<=200' | sort -u >"$tmp/stress_all.pat"
awk -F'\t' 'FNR>1 && !/^#/ && $3=="C-06"{print $1}' "$shipped"/rules_*.tsv | sort -u >"$tmp/c06.pat"
comm -23 "$tmp/stress_all.pat" "$tmp/c06.pat" >"$tmp/stress.pat"
{
	echo "#kefu-lexicon rules stress"
	awk '{print $0 "\tliteral\tC-06\trecord\tstress term\tstress"}' "$tmp/stress.pat"
} >"$tmp/stress/zz_stress.tsv"
sort -u "$tmp/shipped.pat" "$tmp/stress.pat" >"$tmp/stress_grep.pat"

echo "guard benchmark: $lines messages, $(wc -c <"$tmp/corpus.txt") bytes; shipped literals $(wc -l <"$tmp/shipped.pat"), stress terms $(wc -l <"$tmp/stress.pat"); pinned to CPU $cpu"
run() { taskset -c "$cpu" "$@"; }

grep_rate() { # patterns → msgs/s of `grep -F -c -f` over the corpus (best of 3)
	local best=999999 t0 t1 d
	for _ in 1 2 3; do
		t0=$(date +%s.%N)
		LC_ALL=C taskset -c "$cpu" grep -F -c -f "$1" "$tmp/corpus.txt" >"$tmp/grep.count" || true
		t1=$(date +%s.%N)
		d=$(echo "$t1 - $t0" | bc -l)
		best=$(echo "if ($d < $best) $d else $best" | bc -l)
	done
	echo "$lines / $best" | bc -l
}

out_s=$(run "$bin" --lexicons "$shipped" --corpus "$tmp/corpus.txt" --patterns "$tmp/shipped.pat" --label shipped)
echo "$out_s"
g_s=$(grep_rate "$tmp/shipped.pat"); echo "shipped    grep -F  msgs/s=$(printf %.0f "$g_s")  hit_msgs=$(cat "$tmp/grep.count")"
out_x=$(run "$bin" --lexicons "$tmp/stress" --corpus "$tmp/corpus.txt" --patterns "$tmp/stress_grep.pat" --label stress --rounds 2)
echo "$out_x"
g_x=$(grep_rate "$tmp/stress_grep.pat"); echo "stress     grep -F  msgs/s=$(printf %.0f "$g_x")  hit_msgs=$(cat "$tmp/grep.count")"

rate() { echo "$1" | awk -v e="$2" '$2==e{for(i=1;i<=NF;i++) if($i ~ /^msgs\/s=/){sub(/msgs\/s=/,"",$i); print $i}}'; }
gs=$(rate "$out_s" guard); ps=$(rate "$out_s" pcre2)
gx=$(rate "$out_x" guard); px=$(rate "$out_x" pcre2)
echo
printf 'ratios (guard / baseline, same corpus, same run):\n'
printf '  shipped: guard/grep-F = %.1fx   guard/pcre2-loop = %.1fx   (goal: >= 1M msgs/s, >= 5x grep -F)\n' \
	"$(echo "$gs / $g_s" | bc -l)" "$(echo "$gs / $ps" | bc -l)"
printf '  stress:  guard/grep-F = %.1fx   guard/pcre2-loop = %.1fx\n' \
	"$(echo "$gx / $g_x" | bc -l)" "$(echo "$gx / $px" | bc -l)"
