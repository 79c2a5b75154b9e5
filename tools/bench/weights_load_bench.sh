#!/usr/bin/env bash
# Load time of every catalog model's default checkpoint, ResVision next to torchvision, one
# process per model, side and round (as a user's process loads one model), the sides alternating. The checkpoints are torchvision's builders
# with random weights saved under the published file names (same tensors and size as the
# published files; not their bytes), made once into target/bench/weights.
#   tools/bench/weights_load_bench.sh [ROUNDS] [MODEL ...]   (build first: mvn -B -q install -DskipTests)
# Columns: sha = ResVision's SHA-256 check of a cached file (torchvision does none on load),
# read = the file into tensors, load = build the model (random init) and copy the tensors in
# (strict), total = read + load (+ sha for ResVision); engine = starting libtorch, shown apart
# and in neither total (torchvision's `import torch` is not timed either). Medians over the rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/compare.sh
ROUNDS=${1:-3}; shift || true
DIR=target/bench/weights
/usr/bin/python3 tools/reference/bench/torchvision_weights_load.py "$DIR" make "$@" >/dev/null
CP=$(classpath tools)
ensure_openblas; blas_report   # (loading does no BLAS work; said for the record)
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=($(/usr/bin/python3 tools/reference/bench/torchvision_weights_load.py "$DIR" make | cut -d' ' -f1))
out=$(mktemp)
for r in $(seq "$ROUNDS"); do
  for m in "${MODELS[@]}"; do
    # shellcheck disable=SC2046
    launcher_env predict java $(java_opts predict) -cp "$CP" org.resvision.tools.Main bench weights-load "$DIR" "$m" 2>/dev/null | grep '^resvision' >>"$out"
    THREADS=${THREADS:-2} launcher_env predict /usr/bin/python3 tools/reference/bench/torchvision_weights_load.py "$DIR" time "$m" | grep '^torchvision' >>"$out"
  done
done
python3 - "$out" <<'PY'
import statistics, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    side, model, *ms = line.split()
    rows[(model, side)].append([float(x) for x in ms])
med = lambda xs: statistics.median(xs)
print("| model | ResVision sha / read / load / total ms | torchvision read / load / total ms | ratio | ResVision engine start ms |")
print("|---|---|---|---|---|")
for model in dict.fromkeys(m for m, _ in rows):
    r = rows[(model, "resvision")]; t = rows[(model, "torchvision")]
    sha, read, load = (med([x[i] for x in r]) for i in range(3))
    engine = med([x[3] if len(x) > 3 else 0 for x in r])
    tread, tload = (med([x[i] for x in t]) for i in range(2))
    total, ttotal = sha + read + load, tread + tload
    print(f"| {model} | {sha:.0f} / {read:.0f} / {load:.0f} / {total:.0f} | {tread:.0f} / {tload:.0f} / {ttotal:.0f} | {total / ttotal:.2f}x | {engine:.0f} |")
PY
rm -f "$out"
