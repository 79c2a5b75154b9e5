#!/usr/bin/env bash
# coco-eval's device path on a GPU machine, side by side with the Java path (see pack.sh, which
# makes target/device here first). From the repository root:
#   tools/device/coco_eval_gpu.sh [ROUNDS]          (default 3)
# Steps, each reported: unpack the JRE; point DJL at this machine's pip torch (PYTORCH_LIBRARY_PATH,
# PYTORCH_FLAVOR=cu128 whose JNI is inside the pytorch-jni jar, PYTORCH_VERSION=the JNI's 2.7.1,
# torch's CUDA libraries on LD_LIBRARY_PATH); load the engine and count its GPUs (the exact error
# goes to $OUT/engine.log when it does not load); generate a val2017-scale bbox set; run
# `coco-eval --device java` and `--device gpu` alternately ROUNDS times; print a table (wall time,
# the evaluate phase, peak RSS) and check that both print the same numbers.
# DEVICE=cpu runs the same steps with DJL on the CPU (a dry run on a machine without a GPU; set
# PYTORCH_LIBRARY_PATH to a CPU libtorch 2.7.1 and PYTORCH_FLAVOR=cpu).
set -uo pipefail
cd "$(dirname "$0")/../.."
here=target/device
ROUNDS=${1:-3}
DEVICE=${DEVICE:-gpu}
OUT=${OUT:-$here/out}
mkdir -p "$OUT"
[ -f "$here/jre.tgz" ] || { echo "no $here/jre.tgz: run tools/device/pack.sh first and carry target/device"; exit 2; }
[ -d "$here/jre" ] || tar -C "$here" -xzf "$here/jre.tgz"
JAVA=$here/jre/bin/java
PY=${PY:-python3}
if [ -z "${PYTORCH_LIBRARY_PATH:-}" ]; then
  torch_dir=$($PY -c 'import torch, os; print(os.path.dirname(torch.__file__))') || { echo "no python torch here"; exit 2; }
  export PYTORCH_LIBRARY_PATH=$torch_dir/lib
  # the CUDA runtime pip installs next to torch (nvidia/*/lib)
  cuda_libs=$($PY -c 'import glob, os, torch; r = os.path.dirname(os.path.dirname(torch.__file__)); print(":".join(sorted(glob.glob(os.path.join(r, "nvidia", "*", "lib")))))')
  export LD_LIBRARY_PATH=$PYTORCH_LIBRARY_PATH${cuda_libs:+:$cuda_libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  $PY -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "gpus", torch.cuda.device_count(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' | tee "$OUT/torch.txt"
fi
export PYTORCH_FLAVOR=${PYTORCH_FLAVOR:-cu128}
export PYTORCH_VERSION=${PYTORCH_VERSION:-2.7.1}
export OFFLINE=true
echo "DJL: PYTORCH_LIBRARY_PATH=$PYTORCH_LIBRARY_PATH PYTORCH_FLAVOR=$PYTORCH_FLAVOR PYTORCH_VERSION=$PYTORCH_VERSION"
source tools/jvm-options.sh
opts=$(resvision_jvm_opts coco-eval | sed 's/ -XX:SharedArchiveFile=[^ ]*//; s/ -Xlog:cds[^ ]*//g')
data=$here/data
mkdir -p "$data"
if [ ! -s "$data/dt.json" ]; then
  [ -f "$here/gen_coco.py" ] || { echo "no $here/gen_coco.py and no $data/dt.json"; exit 2; }
  echo "generating the val2017-scale set (bbox)"
  $PY "$here/gen_coco.py" --images 5000 --cats 80 --seed 2017 --out-gt "$data/gt.json" --out-dt "$data/dt.json" || exit 2
fi
# the engine: does DJL's 2.7.1 JNI load against this torch, and does it see the device?
if ! $JAVA $opts -jar "$here/resvision.jar" coco-eval --gt "$data/gt.json" --dt "$data/dt.json" --device "$DEVICE" --max-dets 1,10,100 \
    > "$OUT/engine.out" 2> "$OUT/engine.log"; then
  echo "the $DEVICE path did not run; its messages ($OUT/engine.log):"
  grep -v NNPACK "$OUT/engine.log" | tail -30
  exit 1
fi
printf '%-6s %-5s %8s %10s %10s\n' round path wall_s evaluate_s peak_MB | tee "$OUT/table.txt"
for r in $(seq 1 "$ROUNDS"); do
  for d in java "$DEVICE"; do
    /usr/bin/time -f '%e %M' -o "$OUT/time.$d.$r" $JAVA $opts -jar "$here/resvision.jar" coco-eval --gt "$data/gt.json" --dt "$data/dt.json" \
        --device "$d" --timing > "$OUT/out.$d.$r" 2> "$OUT/err.$d.$r"
    read -r wall rss < <(tail -1 "$OUT/time.$d.$r")
    ev=$(awk '$1 == "evaluate" {print $2}' "$OUT/err.$d.$r")
    printf '%-6s %-5s %8s %10s %10d\n' "$r" "$d" "$wall" "$ev" "$((rss / 1024))" | tee -a "$OUT/table.txt"
  done
  if cmp -s "$OUT/out.java.$r" "$OUT/out.$DEVICE.$r"; then echo "round $r: same numbers" | tee -a "$OUT/table.txt"; else echo "round $r: the outputs DIFFER" | tee -a "$OUT/table.txt"; fi
done
cp "$OUT/table.txt" "${OUT%/}/../table-$DEVICE.txt" 2>/dev/null || true
