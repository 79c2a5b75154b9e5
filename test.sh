#!/usr/bin/env bash
# Runs every test of ResVision on a fresh machine (the README's test command; .ci/run calls it).
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
exec mvn -B test "$@"
