#!/usr/bin/env bash
# Builds the helm CLI of one pinned release from its published Go module, with the machine's Go:
# `go install helm.sh/helm/v4/cmd/helm@<version>` resolves exactly the dependency versions of helm's
# own go.mod and go.sum (the module proxy's checksums are verified against sum.golang.org), with
# the ldflags of helm's Makefile so that `helm version` names the release.
#
# Output: $NANOFAAS_HELM_HOME/bin/helm (default ~/.cache/nanofaas/helm-v$HELM_VERSION/bin/helm),
# printed on stdout. A second run with the binary present and the stamp matching is instant.
#
# Env: NANOFAAS_HELM_HOME  cache dir
#      NANOFAAS_K8S_BUILD_JOBS  go build -p (default 2)
set -euo pipefail

HELM_VERSION="4.3.2"
HELM_MODULE="helm.sh/helm/v4"

home="${NANOFAAS_HELM_HOME:-${HOME}/.cache/nanofaas/helm-v${HELM_VERSION}}"
bin="${home}/bin"
stamp="${bin}/.built"
jobs="${NANOFAAS_K8S_BUILD_JOBS:-2}"

log() { printf '[helm-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

command -v go >/dev/null || { echo "build-helm.sh: 'go' not found on PATH (Go >= 1.26 is required)" >&2; exit 1; }
want_stamp="helm v${HELM_VERSION} $(go env GOVERSION)"

if [[ -f "${stamp}" && "$(cat "${stamp}")" == "${want_stamp}" && -x "${bin}/helm" ]]; then
  log "cached: ${bin}/helm (${want_stamp})"
  echo "${bin}/helm"
  exit 0
fi

started=$(date +%s)
mkdir -p "${bin}"
rm -f "${stamp}"
export GOTOOLCHAIN=local
export GOFLAGS="-buildvcs=false"
export GOMAXPROCS="${GOMAXPROCS:-${jobs}}"
export CGO_ENABLED=0
# `go install pkg@version` ignores any enclosing module: run it from the cache dir anyway.
cd "${home}"
log "go install -p ${jobs} ${HELM_MODULE}/cmd/helm@v${HELM_VERSION}"
GOBIN="${bin}" go install -p "${jobs}" -trimpath \
  -ldflags "-s -w -X ${HELM_MODULE}/internal/version.version=v${HELM_VERSION} -X ${HELM_MODULE}/internal/version.gitTreeState=clean" \
  "${HELM_MODULE}/cmd/helm@v${HELM_VERSION}"

[[ -x "${bin}/helm" ]] || { echo "build-helm.sh: ${bin}/helm was not produced" >&2; exit 1; }
"${bin}/helm" version --short >/dev/null || { echo "build-helm.sh: ${bin}/helm does not run" >&2; exit 1; }
echo "${want_stamp}" > "${stamp}"
log "built in $(( $(date +%s) - started ))s: $("${bin}/helm" version --short)"
echo "${bin}/helm"
