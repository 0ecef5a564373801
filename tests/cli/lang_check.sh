#!/bin/sh
# Issue 19, items 2 and 3: the language of the output. Japanese must come out
# with no ja_JP locale generated (as on a fresh Debian machine or in CI: the
# library falls back to C.UTF-8 for LC_MESSAGES), --lang overrides the
# environment, and CSV/JSON keep their English keys in Japanese.
# usage: lang_check.sh TSUNAGI
set -u
T=$1
fail=0
check() { # name, expected substring, actual
    case $3 in
    *"$2"*) ;;
    *) echo "FAIL $1: expected '$2' in:"; echo "$3"; fail=1 ;;
    esac
}
absent() {
    case $3 in
    *"$2"*) echo "FAIL $1: did not expect '$2' in:"; echo "$3"; fail=1 ;;
    esac
}
# The sample city's planted weakness (docs/sample-city.md): in 東区 the youth
# hangout serves 15..29 only, so 30..39 has no place to go.
Q="GAPS FOR hikikomori AGED 18..39 IN '東区' NEEDS place, peer LIMIT 3;"
clean="env -u LC_ALL -u LC_MESSAGES -u LANG -u LANGUAGE"

out=$($clean "$T" --lang ja -c "$Q" 2>&1)
check "--lang ja headers" " 種類 " "$out"
check "--lang ja gap kind" "対象外" "$out"
check "--lang ja why" "は15〜29歳のみ対象のため30〜39歳が未対応" "$out"
check "--lang ja need label" "居場所" "$out"
check "--lang ja row count" "（3件）" "$out"
absent "--lang ja keys hidden in tables" "coverage" "$out"

out=$($clean LANG=ja_JP.UTF-8 "$T" -c "$Q" 2>&1)
check "LANG=ja_JP.UTF-8 without the locale" "対象外" "$out"
out=$($clean LC_ALL=C LANGUAGE=ja "$T" -c "$Q" 2>&1)
check "LANGUAGE=ja first" "対象外" "$out"

out=$($clean LANG=ja_JP.UTF-8 "$T" --lang en -c "$Q" 2>&1)
check "--lang en over LANG=ja" " kind " "$out"
check "--lang en gap kind" "coverage" "$out"
check "--lang en why" "serves here, but not ages 30..39" "$out"
absent "--lang en has no Japanese label" "対象外" "$out"

out=$($clean "$T" -c "$Q" 2>&1)
check "no language set: English" "(3 rows)" "$out"

# Stable keys: the header is the English keys, the label beside the key.
out=$($clean "$T" --lang ja --format csv -c "$Q" 2>&1)
check "csv keys in Japanese" "kind,kind_label,district_id,district,need,need_label,age_from,age_to,program,why" "$out"
check "csv key and label" "coverage,対象外,d-higashi-es1,東小学校区,place,居場所,30,39," "$out"
out=$($clean "$T" --lang ja --format json -c "$Q" 2>&1)
check "json keys in Japanese" '"kind": "coverage", "kind_label": "対象外"' "$out"
# English CSV is what it was before labels: no label columns.
out=$($clean "$T" --lang en --format csv -c "$Q" 2>&1)
check "csv in English" "kind,district_id,district,need,age_from,age_to,program,why" "$out"

out=$($clean "$T" --lang fr -c "$Q" 2>&1); rc=$?
check "--lang fr refused" "unknown language 'fr': use ja or en" "$out"
[ $rc -eq 2 ] || { echo "FAIL --lang fr: exit $rc, expected 2"; fail=1; }

# --help and the CLI's own messages (issue 19, item 1). --lang is read
# before any other argument, wherever it is written (the last one wins;
# docs/decisions.md, "Issue 19: the CLI in Japanese"): --help before it is
# in Japanese too, and so is the error about an argument before it.
for order in "--lang ja --help" "--help --lang ja"; do
    out=$($clean "$T" $order 2>&1)
    check "$order: usage" "使い方: tsunagi [DB] [-c 文 | -f スクリプト]" "$out"
    check "$order: a command's help" "DB のネットワークを CSV フォルダに書き出す" "$out"
    check "$order: the options" "どこに書いてもコマンド行" "$out"
    absent "$order: no English help" "counts by sector" "$out"
done
out=$($clean "$T" --lang en --lang ja --help 2>&1)
check "the last --lang wins" "使い方:" "$out"
out=$($clean LANGUAGE=ja "$T" --help --lang en 2>&1)
check "--lang en after --help over LANGUAGE=ja" "usage: tsunagi [DB] [-c STATEMENTS | -f SCRIPT]" "$out"
out=$($clean "$T" --bogus --lang ja 2>&1); rc=$?
check "an unknown option before --lang" "tsunagi: 「--bogus」というオプションはありません" "$out"
[ $rc -eq 2 ] || { echo "FAIL --bogus: exit $rc, expected 2"; fail=1; }
out=$($clean "$T" --lang ja export 2>&1)
check "a command's usage in Japanese" "使い方: tsunagi export [--bom] フォルダ [DB]" "$out"
out=$($clean "$T" --lang ja /nonexistent.db -c 'FIND districts;' 2>&1)
check "a missing database in Japanese" "/nonexistent.db: データベースがありません" "$out"
# summary in Japanese names its rows and sectors in Japanese (issue 19 items
# 1 and 4: tables show labels), and its CSV keeps the stable keys beside them.
out=$($clean "$T" --lang ja summary 2>&1)
check "--lang ja summary row names" " つながり（つなぎ）" "$out"
check "--lang ja summary sector labels" " 社会福祉協議会 " "$out"
absent "--lang ja summary has no English row name" " ties: " "$out"
absent "--lang ja summary has no sector key" " shakyo " "$out"
out=$($clean "$T" --lang ja --format csv summary 2>&1)
check "--lang ja summary csv keeps keys" "ties: referral,つながり（つなぎ）,672" "$out"
check "--lang ja summary csv sector key and label" "shakyo,社会福祉協議会,7,50" "$out"

# The value of -c is a statement, not an option: '--lang' there sets nothing.
out=$($clean "$T" -c "--lang" --help 2>&1)
check "-c's value is not --lang" "usage: tsunagi" "$out"

# The system's reason for a failed write (strerror, from glibc's catalogue)
# is readable in Japanese with LC_CTYPE=C: it was '書き込めません：?????????????'.
tmp=$(mktemp -d)
echo keep > "$tmp/f"
out=$($clean "$T" --lang ja export "$tmp/f" 2>&1)
check "--lang ja write error" "書き込めません" "$out"
absent "--lang ja strerror not question marks" "??" "$out"
rm -rf "$tmp"

# Numbers given to options in full width, as statements take them (LIMIT ３):
# --suppress-below １０ and --timeout ０．５ were refused (and .suppress, .timeout).
out=$($clean "$T" --suppress-below １０ --format csv -c "FIND ties;" 2>&1)
check "--suppress-below in full width" "<10" "$out"
out=$($clean "$T" --timeout ０．５ -c "COUNT programs;" 2>&1)
check "--timeout in full width" "259" "$out"

exit $fail
