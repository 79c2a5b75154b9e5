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
# the library modules' API docs: complete and doclint-clean (a warning fails)
mvn -B -q -Prelease javadoc:javadoc -pl backbone,data,data/vision,eval,detection,segmentation
# README's Java snippets, compiled and run by projects that depend on the installed artifacts
tools/consumer-test/run.sh
