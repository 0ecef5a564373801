#!/usr/bin/env bash
# Issue 23, the sample city's cold start: igraph, libxlsxwriter and minizip
# are opened when a statement first needs them (util/lazy.h), so a script of
# statements that need no graph and write no workbook never maps them nor
# what they bring (BLAS, LAPACK, ICU, OpenSSL's libcrypto). Speed is never
# asserted here; what is checked is which libraries the dynamic loader
# opened (LD_DEBUG=files, glibc's), by rule: GAPS, FIND, COUNT, REACH and
# SHOW build no graph; CENTRALITY and HORIZONTAL do (eng_graph_build);
# --xlsx writes a workbook; survey-in reads one. Each run must also succeed,
# so a statement that needed a library it did not get would fail here.
# usage: lazy_libs.sh TSUNAGI SAMPLEDIR
set -u
tsunagi=$1 sample=$2
# Built with -DTSG_DLOPEN=OFF (or no shared igraph), the program is linked
# against igraph: nothing here applies.
if ! command -v readelf >/dev/null || readelf -d "$tsunagi" | grep -q 'NEEDED.*libigraph'; then
  echo "tsunagi is linked against igraph (TSG_DLOPEN off): skipped"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache LANGUAGE=en
unset TSUNAGI_DB
pass=0 fail=0

check() { # name, condition (as a command)
  if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1" >&2; fi
}

# Runs tsunagi ARGS…: the libraries the loader opened, one a line, in
# $libs; the exit status in $rc.
opened() {
  LD_DEBUG=files LD_DEBUG_OUTPUT="$work/ld" "$tsunagi" "$@" >"$work/out" 2>"$work/err"
  rc=$?
  libs=$(cat "$work"/ld.* 2>/dev/null | sed -n 's/.*file=\([^ ]*\) .*/\1/p' | sed 's|.*/||' | sort -u)
  rm -f "$work"/ld.*
}

"$tsunagi" import "$sample" "$work/city.db" >/dev/null 2>&1
db=$work/city.db

# Twice each: the first run writes the cache file beside the database, the
# second reads it (the path a repeated script takes).
for stmt in "GAPS FOR hikikomori AGED 18..39 IN '北区';" "FIND organisations WHERE sector = npo;" \
            "COUNT programs IN '西区';" "REACH FROM 'o-city-health' WITHIN 2 HOPS;" "SHOW '北区';"; do
  for run in first second; do
    opened "$db" -c "$stmt"
    check "$stmt ($run run) succeeds" '[ $rc = 0 ]'
    for lib in libigraph libxlsxwriter libminizip libcrypto liblapack; do
      check "$stmt ($run run) opens no $lib" '! grep -q "^$lib" <<<"$libs"'
    done
  done
done

for stmt in "CENTRALITY degree TOP 3;" "HORIZONTAL IN '南区';"; do
  opened "$db" -c "$stmt"
  check "$stmt succeeds" '[ $rc = 0 ] && [ -s "$work/out" ]'
  check "$stmt opens libigraph" 'grep -q "^libigraph" <<<"$libs"'
  check "$stmt opens no libxlsxwriter" '! grep -q "^libxlsxwriter" <<<"$libs"'
done

opened "$db" --xlsx "$work/found.xlsx" -c "FIND organisations WHERE sector = npo;"
check "--xlsx succeeds and writes the workbook" '[ $rc = 0 ] && [ -s "$work/found.xlsx" ]'
check "--xlsx opens libxlsxwriter" 'grep -q "^libxlsxwriter" <<<"$libs"'
check "--xlsx opens no libigraph" '! grep -q "^libigraph" <<<"$libs"'

"$tsunagi" survey-out "$work/forms" "$db" >/dev/null 2>&1
opened survey-in "$work/forms" "$db"
# The forms come back as written, unanswered: survey-in refuses them (an
# empty answer), after reading them, which is what needs minizip.
check "survey-in reads the forms (and refuses them unanswered)" '[ $rc = 1 ] && grep -q "answer is empty" "$work/err"'
check "survey-in opens libminizip" 'grep -q "^libminizip" <<<"$libs"'
check "survey-in opens no libigraph" '! grep -q "^libigraph" <<<"$libs"'

echo "lazy_libs: $pass passed, $fail failed"
[ "$fail" = 0 ]
