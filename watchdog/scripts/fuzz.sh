#!/usr/bin/env bash
# Brief libFuzzer runs of the watchdog's fuzz targets (watchdog/fuzz): output validation
# (json_scan) and request parsing, FUZZ_SECONDS each (default 20). cargo-fuzz wants a nightly
# toolchain for its unstable flags; RUSTC_BOOTSTRAP=1 lets the stable one accept them, and
# `-s none` builds without a sanitizer (the stable toolchain ships none). Fails on any crash; the
# input that crashed is kept in watchdog/fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
command -v cargo-fuzz >/dev/null || { echo "fuzz: cargo-fuzz is not installed (cargo install cargo-fuzz --locked)" >&2; exit 1; }
seconds="${FUZZ_SECONDS:-20}"
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none
for target in $(cargo fuzz list); do
  echo "fuzz: $target for ${seconds}s"
  mkdir -p "corpus/$target"
  cargo fuzz run -s none "$target" -- -max_total_time="$seconds" -print_final_stats=1 2>&1 | tail -4
  status=${PIPESTATUS[0]}
  if ((status != 0)); then echo "fuzz: $target failed (exit $status)" >&2; exit "$status"; fi
done
