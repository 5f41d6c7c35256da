#!/usr/bin/env bash
# Creates the Secret flowbench-credentials that the manifests read their passwords from,
# with random values (hex: they go into the services' AMQP URL as they are). Run it once
# per namespace, before `kubectl apply -k overlays/...`. An existing Secret is kept: the
# databases were initialised with its passwords, so a new one would lock the services out.
#   compose/kubernetes/create-secret.sh [NAMESPACE]     (default: flowbench)
set -euo pipefail
namespace="${1:-flowbench}"
secret=flowbench-credentials

if kubectl -n "$namespace" get secret "$secret" >/dev/null 2>&1; then
  echo "create-secret: $namespace/$secret exists; kept"
  exit 0
fi
kubectl get namespace "$namespace" >/dev/null 2>&1 || kubectl create namespace "$namespace"
kubectl -n "$namespace" create secret generic "$secret" \
  --from-literal=postgres-password="$(openssl rand -hex 24)" \
  --from-literal=rabbitmq-password="$(openssl rand -hex 24)" \
  --from-literal=rabbitmq-erlang-cookie="$(openssl rand -hex 32)"
echo "create-secret: $namespace/$secret created (read a value with: kubectl -n $namespace get secret $secret -o jsonpath='{.data.rabbitmq-password}' | base64 -d)"
