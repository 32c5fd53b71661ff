#!/usr/bin/env bash
# A real Kubernetes cluster with nanofaas on your own machine: a kind cluster, the control plane and
# watchdog images built from this checkout and loaded into it, and the Helm chart installed with
# functions in their own namespace. Needs docker, kind, kubectl and helm.
#
#   deploy/kind/up.sh            create (or reuse) the cluster and install or upgrade nanofaas
#   deploy/kind/up.sh --delete   delete the cluster
#
# Env: NANOFAAS_KIND_CLUSTER (default nanofaas), NANOFAAS_TAG (default: the chart's appVersion)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

cluster="${NANOFAAS_KIND_CLUSTER:-nanofaas}"
tag="${NANOFAAS_TAG:-$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' deploy/helm/nanofaas/Chart.yaml)}"

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "up.sh: '$tool' is required" >&2; exit 1; }
done

if [[ "${1:-}" == "--delete" ]]; then
  kind delete cluster --name "$cluster"
  exit 0
fi

if ! kind get clusters | grep -qx "$cluster"; then
  kind create cluster --name "$cluster" --wait 120s
fi
kubectl config use-context "kind-${cluster}" >/dev/null

# Tagged (not :latest), so the kubelet uses the loaded image instead of pulling it.
docker build -f deploy/control-plane/Dockerfile -t "nanofaas/control-plane:${tag}" .
docker build -f deploy/watchdog/Dockerfile -t "nanofaas/watchdog:${tag}" .
# A function image for the example below: the watchdog over Alpine, whose `cat` it runs in STDIO mode.
docker build -t "nanofaas/echo:${tag}" -f - . <<DOCKERFILE
FROM nanofaas/watchdog:${tag} AS watchdog
FROM alpine:3.20
COPY --from=watchdog /watchdog /watchdog
ENTRYPOINT ["/watchdog"]
DOCKERFILE
kind load docker-image --name "$cluster" \
  "nanofaas/control-plane:${tag}" "nanofaas/watchdog:${tag}" "nanofaas/echo:${tag}"

# kind's default StorageClass (local-path) serves the database claim.
helm upgrade --install nanofaas deploy/helm/nanofaas --namespace nanofaas --create-namespace \
  --set image.tag="${tag}" \
  --set functions.namespace=nanofaas-fn --set functions.createNamespace=true \
  --wait --timeout 5m

key=$(kubectl -n nanofaas get secret nanofaas-api-keys -o jsonpath='{.data.api-keys}' | base64 -d | cut -d: -f1)
cat <<NEXT

nanofaas is running in kind cluster "${cluster}". Next:
  kubectl -n nanofaas port-forward service/nanofaas 8080:8080 &
  curl -s localhost:8080/v1/functions -H 'Authorization: Bearer ${key}' -H 'content-type: application/json' \\
    -d '{"name":"echo","image":"nanofaas/echo:${tag}","runtimeMode":"STDIO","runtimeCommand":"cat"}'
  curl -s localhost:8080/v1/functions/echo:invoke -H 'Authorization: Bearer ${key}' \\
    -H 'content-type: application/json' -d '{"input":"hello"}'
NEXT
