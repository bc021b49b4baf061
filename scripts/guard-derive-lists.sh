#!/usr/bin/env bash
# guard-derive-lists.sh — regenerates the guard's derived PII lists in data/lexicons/ from the
# ship-able sources in ../shared/data: divisions.tsv (admin_divisions_cn, WTFPL) and surnames.tsv
# (cn_surnames, Apache-2.0), and copies their licences beside them. Reads only; never edits the
# hand-curated rule files.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${KEFU_SHARED_DIR:-$root/../shared}
src=$shared/data
out=$root/data/lexicons
ver=$(date -u +%Y.%m.%d)

{
	echo "#kefu-lexicon divisions $ver"
	echo "# Derived from admin_divisions_cn (NBS 2023 codes via modood/Administrative-divisions-of-China, WTFPL;"
	echo "# licence in LICENSE.divisions). Full names of provinces, cities and districts, plus short names"
	echo "# of provinces and cities (suffix removed). Regenerate with scripts/guard-derive-lists.sh."
	awk -F, 'NR>1{gsub(/"/,"",$2); print $2 "\tprovince"; s=$2;
		sub(/(壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|省|市)$/,"",s);
		if (length(s)>=2 && s!=$2) print s "\tprovince"}' "$src/admin_divisions_cn/provinces.csv"
	awk -F, 'NR>1{gsub(/"/,"",$2); if ($2=="市辖区"||$2=="县"||$2 ~ /直辖/) next; print $2 "\tcity"; s=$2;
		sub(/(市|地区|盟)$/,"",s); if (s!=$2 && length(s)>=2) print s "\tcity"}' "$src/admin_divisions_cn/cities.csv"
	awk -F, 'NR>1{gsub(/"/,"",$2); if ($2=="市辖区") next; print $2 "\tdistrict"}' "$src/admin_divisions_cn/areas.csv"
} | awk -F'\t' '/^#/{print; next} !seen[$1]++' >"$out/divisions.tsv"
cp "$src/admin_divisions_cn/LICENSE" "$out/LICENSE.divisions"

{
	echo "#kefu-lexicon surnames $ver"
	echo "# Derived from cn_surnames (wainshine/Chinese-Names-Corpus, Apache-2.0; licence in"
	echo "# LICENSE.surnames). Most frequent first; the order is the rank the name detector uses."
	awk -F, 'NR>1 && $1!=""{print $1 "\t" $2}' "$src/cn_surnames/chinese_family_names_1k.csv"
} >"$out/surnames.tsv"
cp "$src/cn_surnames/LICENSE" "$out/LICENSE.surnames"
echo "wrote $out/divisions.tsv ($(grep -vc '^#' "$out/divisions.tsv") names), $out/surnames.tsv ($(grep -vc '^#' "$out/surnames.tsv") surnames)"
