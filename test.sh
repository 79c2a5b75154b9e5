#!/usr/bin/env bash
# Runs every test of ResVision on a fresh machine (the README's test command; .ci/run calls it):
# the modules' tests, the API docs' lint and the consumer test (tools/consumer-test/run.sh).
# The torchvision parity tests need Debian's python3-torchvision (the reference, never used at
# run time); it is installed here when missing. The HTML report's browser test needs Debian's
# chromium (headless), installed here too when missing.
set -euo pipefail
cd "$(dirname "$0")"
if ! /usr/bin/python3 -c 'import torchvision' >/dev/null 2>&1; then
  echo "test.sh: installing the torchvision reference (python3-torchvision) for parity tests"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torchvision python3-numpy >/dev/null
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "test.sh: installing chromium for the HTML report's headless browser test"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# every module's tests, then the artifacts installed in the local repository as a user gets them
mvn -B install -DskipSparkJar "$@"
# coco-eval's class-data archive (made at package time) holds picocli's classes, which the build
# rewrites for it (tools/src/build/ClassFileUpgrade.java): none of them is loaded from the jar
source tools/jvm-options.sh
resvision_jvm_opts coco-eval > /dev/null
from_jar="$(java $resvision_opts -Xlog:class+load=info -jar tools/target/resvision.jar coco-eval --gt tools/src/cds/gt.json \
    --dt tools/src/cds/dt.json | grep '\[class,load\] picocli\.' | grep -v -c 'shared objects file' || true)"
if [ "$from_jar" != 0 ]; then
  echo "test.sh: coco-eval loaded $from_jar picocli classes from the jar, not from tools/target/coco-eval.jsa" >&2
  exit 1
fi
# the binary distribution's coco-eval: its launcher makes the archive at an install's first run
tools/src/test/dist/coco_eval_archive.sh
# the library modules' API docs: complete and doclint-clean (a warning fails)
mvn -B -q -Prelease javadoc:javadoc -pl backbone/nn,backbone/train,backbone,data,data/vision,eval,detection,segmentation
# README's Java snippets, compiled and run by projects that depend on the installed artifacts
tools/consumer-test/run.sh
# the demo (run.sh) with its recipe on a shorter run, 150 iterations: when measured, held-out AP50
# was 0.194 with the demo's seed 0 (400 held-out scenes; since oneDNN's cache sizes are mended and
# fc6 runs as a convolution, other kernels and summation orders: 0.215 with the mend alone, 0.236
# before it, when config seeds 1 and 2 gave 0.189 and 0.223; 0.129 with seed 0 before synth wrote
# 4:4:4 JPEGs and the demo asked for --min-contrast 100); below 0.15 fails
./run.sh target/demo-ci 150 > target/demo-ci.log 2>&1 || { tail -20 target/demo-ci.log; exit 1; }
ap50="$(grep -m1 'IoU=0.50      | area=   all | maxDets=100' target/demo-ci.log | sed 's/.*= //')"
if ! awk -v a="${ap50:-0}" 'BEGIN { exit !(a >= 0.15) }'; then
  echo "test.sh: the demo recipe's held-out AP50 after 150 iterations is ${ap50:-missing}, below the bar 0.15" >&2
  exit 1
fi
echo "test.sh: the demo recipe's held-out AP50 after 150 iterations: $ap50 (bar 0.15)"
