#!/usr/bin/env bash
# Installs the real consumers of gitsm's outputs that the conformance tests
# run, under tests/tools/ (ignored by Git). Run by .ci/run; run it once
# yourself to have the same checks locally. Needs node/npm and python3/pip;
# reaches only the npm and PyPI registries.
set -euo pipefail
cd "$(dirname "$0")"

# yaml-language-server (editor completion from the schemas), vnu-jar (the
# Nu Html Checker), axe-core with puppeteer-core (accessibility in the
# installed Chromium), Microsoft's SARIF multitool (code scanning rules).
# --ignore-scripts: vnu-jar's postinstall would download a Java runtime; the
# system's java runs the jar.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
# The one install script that matters: the multitool's, which makes its
# binary executable.
chmod u+x node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

# Jenkins' JUnit XSD (the xunit plugin's junit-10.xsd), which pytest's
# source distribution ships for its own JUnit tests.
if [ ! -f downloads/junit-10.xsd ]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  python3 -m pip download --quiet --disable-pip-version-check --no-deps \
    --no-binary :all: pytest==8.3.4 -d "$scratch"
  tar xzf "$scratch"/pytest-8.3.4.tar.gz -C "$scratch" pytest-8.3.4/testing/example_scripts/junit-10.xsd
  mkdir -p downloads
  mv "$scratch"/pytest-8.3.4/testing/example_scripts/junit-10.xsd downloads/
fi
