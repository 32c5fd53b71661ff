#!/usr/bin/env bash
# Builds the static watchdog binary and copies it to watchdog/dist/watchdog.
# Incremental: cargo only rebuilds when sources changed; the copy is skipped when identical.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

target=x86_64-unknown-linux-gnu
RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static" cargo build --release --locked --target "$target"

mkdir -p dist
built="target/$target/release/watchdog"
if ! cmp -s "$built" dist/watchdog; then
  cp "$built" dist/watchdog.tmp
  mv dist/watchdog.tmp dist/watchdog
fi
echo "watchdog: dist/watchdog ($(stat -c %s dist/watchdog) bytes)"
