#!/usr/bin/env bash
# Builds pycocotools (cocoapi's PythonAPI) in place for Debian's /usr/bin/python3: the reference side
# of coco_eval_bench.sh. cocoapi is neither vendored nor downloaded here: pass a checkout of
# https://github.com/cocodataset/cocoapi (its PythonAPI and common folders are used). Installs the
# build's Debian packages when missing (cython3, python3-dev, python3-numpy, and python3-matplotlib,
# which pycocotools/coco.py imports).
#   tools/reference/bench/build_pycocotools.sh COCOAPI_DIR     prints the folder to pass as PYCOCOTOOLS=
set -euo pipefail
dir=${1:?usage: tools/reference/bench/build_pycocotools.sh COCOAPI_DIR}
if [ ! -f "$dir/PythonAPI/setup.py" ] || [ ! -f "$dir/common/maskApi.c" ]; then
  echo "build_pycocotools: $dir is not a cocoapi checkout (no PythonAPI/setup.py or common/maskApi.c)" >&2
  exit 2
fi
need=()
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
/usr/bin/python3 -c 'import Cython' 2>/dev/null || need+=(cython3)
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
compgen -G '/usr/include/python3*/Python.h' > /dev/null || need+=(python3-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "build_pycocotools: installing ${need[*]}" >&2
  apt-get install -y -q "${need[@]}" >&2
fi
(cd "$dir/PythonAPI" && /usr/bin/python3 setup.py build_ext --inplace > build.log 2>&1) || {
  echo "build_pycocotools: the build failed; see $dir/PythonAPI/build.log" >&2
  exit 1
}
PYTHONPATH="$dir/PythonAPI" /usr/bin/python3 -c 'import pycocotools._mask' || exit 1
echo "$(cd "$dir/PythonAPI" && pwd)"
