#!/bin/sh
# nanofaas example "shell-stdio" (runtimeMode STDIO): any program that reads one JSON request on
# stdin and writes one JSON value on stdout is a function. This one is plain POSIX sh, no jq: it
# hands the request back with a few facts measured by standard tools.
set -eu

request=$(cat)
bytes=$(printf '%s' "$request" | wc -c | tr -d ' ')
words=$(printf '%s' "$request" | wc -w | tr -d ' ')

printf '{"request":%s,"bytes":%s,"words":%s,"shell":"%s","pid":%s}\n' \
  "$request" "$bytes" "$words" "$(uname -s)" "$$"
