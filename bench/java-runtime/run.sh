#!/usr/bin/env bash
# Java runtime benchmark (see bench/README.md, "Java runtime"). Needs Maven, a JDK 17 (java on PATH),
# optionally the Temurin 25 JDK (JAVA25=...; default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java) and
# wrk (apt-get install -y wrk) for the warm figures. Builds the example jar and the bare echo, then
# measures; every process runs on loopback and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v mvn >/dev/null || { echo "run.sh: mvn is not installed" >&2; exit 1; }
(cd runtimes/java && mvn -B -q package -DskipTests -pl ../../examples/java/word-stats -am)
(cd bench/java-runtime/echo && mvn -B -q package -DskipTests)
if ! command -v wrk >/dev/null; then
  echo "run.sh: wrk is not installed (apt-get install -y wrk): start-up figures only" >&2
  exec node bench/java-runtime/bench.mjs --skip-warm "$@"
fi
exec node bench/java-runtime/bench.mjs "$@"
