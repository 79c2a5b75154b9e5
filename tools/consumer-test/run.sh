#!/usr/bin/env bash
# The consumer test (test.sh runs it after `mvn install`): ResVision used the way a user uses it.
#  1. README.md's Java snippets, copied verbatim (each is a complete program), are compiled by two
#     Maven projects that depend on the installed artifacts through the BOM, with their own empty
#     .mvn/maven.config (the project's -Djavacpp.platform does not apply): pom.xml (detection,
#     segmentation, eval + resvision-natives-linux-x86_64) and eval-only/pom.xml (resvision-eval
#     alone: its class path must be ResVision's data and eval jars and Jackson, nothing else).
#  2. The binary distribution (tools/target/resvision-VERSION-bin.tar.gz), unpacked outside the
#     repository, runs from another folder and makes the data: a synthetic COCO dataset and a small
#     trained detector; Debian's torchvision makes random-weight checkpoints of its models.
#  3. Every snippet runs on that data, and its output is checked.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(awk '/<artifactId>resvision-parent<\/artifactId>/{p=1} p&&/<version>/{gsub(/.*<version>|<\/version>.*/,""); print; exit}' "$root/pom.xml")"
work="$here/target"
rm -rf "$work"
mkdir -p "$work/snippets" "$work/eval-snippets" "$work/out"   # target/snippets: pom.xml's sources
fail() { echo "consumer test: $*" >&2; exit 1; }

# 1. the snippets
python3 - "$root/README.md" "$work" <<'PY'
import re, sys
readme, work = sys.argv[1], sys.argv[2]
blocks = re.findall(r"^```java\n(.*?)^```", open(readme).read(), re.S | re.M)
names = []
for b in blocks:
    m = re.search(r"^public class (\w+)", b, re.M)
    if not m or not b.startswith("import "):
        sys.exit("README.md: a ```java block is not a complete program (imports, then a public class): " + b.splitlines()[0])
    names.append(m.group(1))
    open("%s/snippets/%s.java" % (work, m.group(1)), "w").write(b)
    imports = re.findall(r"^import ([\w.]+);", b, re.M)
    # the evaluator's own snippets: JDK, COCO data and eval classes only (no DJL bridge)
    if all(i.startswith("java.") or i.startswith("org.resvision.data.coco.") or
           (i.startswith("org.resvision.eval.") and not i.startswith("org.resvision.eval.djl.")) for i in imports):
        open("%s/eval-snippets/%s.java" % (work, m.group(1)), "w").write(b)
open(work + "/snippets.txt", "w").write("\n".join(names) + "\n")
print("README.md: %d Java snippets: %s" % (len(names), " ".join(names)))
PY
mvn_user() { (cd "$1" && mvn -B -q -Dresvision.version="$version" "${@:2}"); }
mvn_user "$here" package dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
rm -rf "$here/eval-only/target" && mkdir -p "$here/eval-only/target" && cp -r "$work/eval-snippets" "$here/eval-only/target/snippets"
mvn_user "$here/eval-only" package dependency:build-classpath -Dmdep.outputFile="$work/eval-cp.txt"
grep -qE 'android|ios-|macosx|windows' "$work/cp.txt" && fail "natives of other platforms on the class path: $(tr ':' '\n' < "$work/cp.txt" | grep -E 'android|ios-|macosx|windows' | head -3)"
others="$(tr ':' '\n' < "$work/eval-cp.txt" | xargs -n1 basename | grep -vE '^(resvision-(eval|data)-'"$version"'|jackson-(databind|core|annotations)-[0-9.]+)\.jar$' || true)"
[ -z "$others" ] || fail "resvision-eval brings more than Jackson: $others"
echo "class paths: full $(tr ':' '\n' < "$work/cp.txt" | wc -l) jars; evaluator only: $(tr ':' '\n' < "$work/eval-cp.txt" | xargs -n1 basename | tr '\n' ' ')"

# 2. the data, made by the distribution from another folder
tar xzf "$root/tools/target/resvision-$version-bin.tar.gz" -C "$work"
rv="$work/resvision-$version/bin/resvision"
cd "$work/out"
"$rv" synth --format coco --images 16 --out "$work/data" >/dev/null
coco="$work/data/coco"
echo '{"model": "fasterrcnn_resnet18_fpn_small", "iterations": 30, "batch_size": 2, "checkpoint_every": 30, "box_score_thresh": 0.001}' > "$work/small.json"
"$rv" train --config "$work/small.json" --data "coco:$coco/annotations/instances_train.json" --out "$work/run" >/dev/null 2>"$work/train.log" \
  || fail "resvision train failed: $(tail -3 "$work/train.log")"
unzip -p "$(tr ':' '\n' < "$work/cp.txt" | grep "resvision-backbone-$version.jar")" org/resvision/backbone/hub/catalog.json > "$work/builtin-catalog.json"
/usr/bin/python3 "$here/make_checkpoints.py" "$work/ckpt" "$work/builtin-catalog.json" >/dev/null
image="$(ls "$coco"/images/*.jpg | head -1)"

# 3. every snippet on it
run() { java -cp "$work/classes:$(cat "$work/cp.txt")" "$@"; }
check() { # NAME EXPECTED-REGEX OUTPUT
  grep -qE "$2" <<<"$3" || fail "$1: expected /$2/ in its output: $(tail -5 <<<"$3")"
  echo "ok  $1"
}
out="$(run BackboneFeatures "$work/ckpt/resnet50.pth" 2>&1)" || fail "BackboneFeatures: $out"
check BackboneFeatures 'unexpected: fc.weight, fc.bias' "$out"
[ "$(grep -cE '\(1, 256, [0-9]+, [0-9]+\)' <<<"$out")" = 5 ] || fail "BackboneFeatures: not five 256-channel levels: $out"
export TORCH_HOME="$work/ckpt" RESVISION_WEIGHTS_CATALOG="$work/ckpt/catalog.json" RESVISION_OFFLINE=1
out="$(run PretrainedDetector "$image" CONSUMER_V1 2>&1)" || fail "PretrainedDetector: $out"
check "PretrainedDetector (catalog entry)" '^\[' "$out"
if out="$(run PretrainedDetector "$image" 2>&1)"; then fail "PretrainedDetector offline without the file succeeded"; fi
check "PretrainedDetector (offline, not cached)" 'fasterrcnn_resnet50_fpn_v2:COCO_V1 is not cached and RESVISION_OFFLINE is set' "$out"
out="$(run CriteriaDetector "$image" "resvision://fasterrcnn_resnet50_fpn_v2?weights=CONSUMER_V1" 2>&1)" || fail "CriteriaDetector: $out"
[ -s boxes.png ] || fail "CriteriaDetector wrote no boxes.png"
check CriteriaDetector '^\[' "$out"
unset TORCH_HOME RESVISION_WEIGHTS_CATALOG RESVISION_OFFLINE
train_images="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["images"]))' "$coco/annotations/instances_train.json")"
out="$(run LoadCocoBatches "$coco/annotations/instances_train.json" "$coco/images" 2>&1)" || fail "LoadCocoBatches: $out"
[ "$(grep -cE '^\(2, 3, [0-9]+, [0-9]+\): 2 images$' <<<"$out")" = $((train_images / 2)) ] || fail "LoadCocoBatches: not $((train_images / 2)) batches of 2: $out"
echo "ok  LoadCocoBatches"
out="$(run PredictToCoco "$coco/annotations/instances_val.json" "$coco/images" "$work/run/model.safetensors" "$work/run/config.json" results.json 2>&1)" \
  || fail "PredictToCoco: $out"
python3 -c 'import json,sys; r=json.load(open("results.json")); assert r and all(len(x["bbox"]) == 4 for x in r), r' || fail "PredictToCoco: no results"
echo "ok  PredictToCoco ($(python3 -c 'import json; print(len(json.load(open("results.json"))))') results)"
# results near the ground truth (shifted a pixel, scores spread), so that the numbers are not all 0
python3 - "$coco/annotations/instances_val.json" <<'PY'
import json, sys
gt = json.load(open(sys.argv[1]))
json.dump([{"image_id": a["image_id"], "category_id": a["category_id"], "bbox": [a["bbox"][0] + 1] + a["bbox"][1:],
            "score": 0.5 + 0.05 * (i % 10)} for i, a in enumerate(gt["annotations"])], open("near.json", "w"))
PY
evalrun() { java -cp "$here/eval-only/target/classes:$(cat "$work/eval-cp.txt")" "$@"; }
out="$(evalrun EvaluateCoco "$coco/annotations/instances_val.json" near.json 2>&1)" || fail "EvaluateCoco: $out"
cli="$("$rv" coco-eval --gt "$coco/annotations/instances_val.json" --dt near.json 2>&1)"
[ "$(grep -c '^ Average' <<<"$out")" = 12 ] && [ "$(grep '^ Average' <<<"$out")" = "$(grep '^ Average' <<<"$cli")" ] \
  || fail "EvaluateCoco (Jackson only) and resvision coco-eval differ: $out vs $cli"
ap="$(grep -m1 '^ Average' <<<"$out" | sed 's/.*= //')"
python3 -c "import sys; sys.exit(0 if float('$ap') > 0.5 else 1)" || fail "EvaluateCoco: AP $ap on near-ground-truth results"
echo "ok  EvaluateCoco (class path without DJL; its 12 numbers = coco-eval's, AP $ap)"
out="$(evalrun DiagnoseCoco "$coco/annotations/instances_val.json" near.json results.json report.html 2>&1)" || fail "DiagnoseCoco: $out"
grep -q '<html' report.html || fail "DiagnoseCoco wrote no HTML report"
check "DiagnoseCoco (class path without DJL)" 'TIDE|model A' "$out"
out="$(run DetectObjects "$work/ckpt/fasterrcnn_resnet50_fpn.pth" "$image" 2>&1)" || fail "DetectObjects: $out"
check DetectObjects '^[0-9]+ objects: ' "$out"
size="$(python3 -c 'import json,sys,os; d=json.load(open(sys.argv[1])); im=[i for i in d["images"] if i["file_name"]==os.path.basename(sys.argv[2])][0]; print("%d x %d pixels" % (im["height"], im["width"]))' "$coco/annotations/instances_train.json" "$image")"
out="$(run SegmentImage "$work/ckpt/fcn_resnet50.pth" "$image" 2>&1)" || fail "SegmentImage: $out"
check SegmentImage "^$size\$" "$out"
ran="BackboneFeatures PretrainedDetector CriteriaDetector LoadCocoBatches PredictToCoco EvaluateCoco DiagnoseCoco DetectObjects SegmentImage"
for s in $(cat "$work/snippets.txt"); do
  grep -qw "$s" <<<"$ran" || fail "README snippet $s is compiled but not run here: add it to run.sh"
done
echo "consumer test: all $(wc -l < "$work/snippets.txt") README snippets compiled and ran"
