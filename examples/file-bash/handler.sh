#!/usr/bin/env bash
# nanofaas example "file-bash" (runtimeMode FILE): the watchdog writes the request to $INPUT_FILE,
# runs this script, and returns what it wrote to $OUTPUT_FILE. Handy for scripts and legacy tools
# that work on files. This one fingerprints the request.
set -euo pipefail

sha256=$(sha256sum "$INPUT_FILE" | cut -d' ' -f1)
bytes=$(wc -c <"$INPUT_FILE")
lines=$(wc -l <"$INPUT_FILE")

printf '{"sha256":"%s","bytes":%d,"lines":%d,"bash":"%s"}\n' \
  "$sha256" "$bytes" "$lines" "${BASH_VERSION}" >"$OUTPUT_FILE"
