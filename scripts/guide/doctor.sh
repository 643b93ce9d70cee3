#!/usr/bin/env bash
# generated from docs/guide.lit.md by weft — edit the source, not this file
# Check that this machine can run Weft: Node 20 or newer, and npm.
set -euo pipefail

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "doctor: Node $major is too old; Weft needs Node 20 or newer" >&2
  exit 1
fi
command -v npm >/dev/null || { echo "doctor: npm is not installed" >&2; exit 1; }
echo "doctor: node $(node --version), npm $(npm --version): ok"
