#!/usr/bin/env bash
# The binary distribution's coco-eval and its class-data archive (tools/src/dist/bin/resvision),
# on the tarball the build made (test.sh runs this after `mvn install`): an install's first
# coco-eval makes the archive in RESVISION_CDS_DIR and prints what the source tree's launcher
# prints; the next run maps picocli's and ResVision's classes from it and leaves it as it is; when
# making it fails, one line on stderr, its log kept, the evaluation still right, and no second try;
# RESVISION_CDS_DIR set empty, or a path with a space in it, makes none.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
fail() { echo "coco_eval_archive.sh: $*" >&2; exit 1; }
tarballs=(tools/target/resvision-*-bin.tar.gz)
[ -f "${tarballs[0]}" ] || fail "no binary distribution in tools/target (mvn package without -DskipDist)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar xzf "${tarballs[0]}" -C "$work"
homes=("$work"/resvision-*/bin/resvision)
launcher=${homes[0]}
gt=tools/src/cds/gt.json
dt=tools/src/cds/dt.json
expected="$(./resvision coco-eval --gt $gt --dt $dt --iou-type segm)"

run() { # CDS_DIR, then the launcher's arguments after coco-eval's files; stdout, stderr to $work/err
  local dir=$1
  shift
  RESVISION_CDS_DIR=$dir "$launcher" coco-eval --gt $gt --dt $dt --iou-type segm "$@" 2> "$work/err"
}

# 1. the first run makes the archive, prints the evaluation and nothing on stderr
out="$(run "$work/cds")"
[ "$out" = "$expected" ] || fail "the first run printed something else than ./resvision: $out"
[ ! -s "$work/err" ] || fail "the first run wrote to stderr: $(cat "$work/err")"
made=("$work"/cds/*)
[ ${#made[@]} = 1 ] && [[ ${made[0]} == *.jsa ]] || fail "expected one archive in the cache folder, found: ${made[*]}"
before="$(ls -l --time-style=full-iso "${made[0]}")"

# 2. the next run maps every picocli and ResVision class it loads from the archive
log="$(JAVA_TOOL_OPTIONS=-Xlog:class+load=info run "$work/cds")"
mapped="$(grep -c '\[class,load\] \(picocli\|org\.resvision\)\..*shared objects file' <<< "$log" || true)"
from_jars="$(grep '\[class,load\] \(picocli\|org\.resvision\)\.' <<< "$log" | grep -v -c 'shared objects file' || true)"
[ "$from_jars" = 0 ] || fail "the second run loaded $from_jars picocli/ResVision classes from the jars"
[ "$mapped" -gt 100 ] || fail "the second run mapped only $mapped picocli/ResVision classes from the archive"
[ "$(grep -v '^\[' <<< "$log")" = "$expected" ] || fail "the second run printed something else than ./resvision"
[ "$(ls -l --time-style=full-iso "${made[0]}")" = "$before" ] || fail "the second run remade the archive"

# 3. an install whose archive cannot be made: one line, the log kept, the evaluation right, no retry
echo '{"images": [' > "${launcher%/bin/resvision}/lib/cds/gt.json"
out="$(run "$work/cds-broken")"
[ "$out" = "$expected" ] || fail "with the archive failing, the run printed: $out"
[ "$(wc -l < "$work/err")" = 1 ] && grep -q "^resvision: could not make coco-eval's class-data archive" "$work/err" \
  || fail "with the archive failing, stderr was: $(cat "$work/err")"
failed=("$work"/cds-broken/*.failed)
[ -s "${failed[0]}" ] || fail "no .failed log kept"
grep -q 'gt.json' "${failed[0]}" || fail "the .failed log does not name the broken file: $(cat "${failed[0]}")"
left=("$work"/cds-broken/*)
[ ${#left[@]} = 1 ] || fail "the failed attempt left: ${left[*]}"
out="$(run "$work/cds-broken")"
[ "$out" = "$expected" ] && [ ! -s "$work/err" ] || fail "the run after a failed attempt tried again or printed: $(cat "$work/err")"

# 4. RESVISION_CDS_DIR set empty: no archive anywhere, the same evaluation
out="$(HOME="$work/home" XDG_CACHE_HOME= run "")"
[ "$out" = "$expected" ] && [ ! -e "$work/home" ] || fail "RESVISION_CDS_DIR= still made an archive or printed otherwise"
# 5. a cache folder with a space in its path: no archive (the launcher's options are split on spaces), the same evaluation
out="$(run "$work/cache dir")"
[ "$out" = "$expected" ] && [ ! -s "$work/err" ] && [ ! -e "$work/cache dir" ] || fail "a cache path with a space: $(cat "$work/err")"
echo "coco_eval_archive.sh: the binary distribution's coco-eval made its archive once and mapped $mapped classes from it"
