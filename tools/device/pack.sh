#!/usr/bin/env bash
# Packs, on this machine, what a GPU session needs into target/device (carried by the device tool,
# which moves at most 64 MiB): a jlink'd JRE as a tgz (the device may have no Java), the jars
# coco-eval needs with DJL's PyTorch engine (no OpenCV and no CPU libtorch: the device's pip torch
# is used) and the synthetic COCO generator. Then, on the device, from the repository root:
#   tools/device/coco_eval_gpu.sh [ROUNDS]
# The whole session in one call of the device tool:
#   run(command="tools/device/coco_eval_gpu.sh 3", carry=["target/device"])
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f tools/target/resvision.jar ] || mvn -B -q package -DskipTests
out=target/device
rm -rf "$out"
mkdir -p "$out/lib"
jlink --add-modules java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.unsupported,jdk.zipfs \
    --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out/jre"
tar -C "$out" -czf "$out/jre.tgz" jre
rm -rf "$out/jre"
cp tools/target/resvision.jar "$out/"
for j in tools/target/lib/*.jar; do
  case "$(basename "$j")" in
    opencv*|ffmpeg*|javacv*|javacpp*|openblas*|pytorch-native-cpu*) ;; # not on coco-eval's path
    *) cp "$j" "$out/lib/" ;;
  esac
done
gen=../shared/tools/gen_coco.py
if [ -f "$gen" ]; then
  cp "$gen" "$out/"
else
  echo "pack.sh: $gen not found: the device run will need --gt/--dt data of its own" >&2
fi
du -sh "$out"
