#!/usr/bin/env bash
# Runs the commands the README shows, so the README cannot drift from what works.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./dray --help
./dray --version
./dray demo
