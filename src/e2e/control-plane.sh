#!/usr/bin/env bash
# A real Kubernetes control plane as plain processes on 127.0.0.1: etcd, kube-apiserver (RBAC on,
# generated serving certificates and service-account keys) and kube-controller-manager (the
# StatefulSet, ServiceAccount, garbage-collector, PV-binder... controllers). No kubelet and no
# scheduler: pods stay Pending, which is all admission needs.
#
#   src/e2e/control-plane.sh start DIR   # builds the binaries if needed, starts, waits for /readyz
#   src/e2e/control-plane.sh stop DIR    # stops exactly the processes `start` recorded in DIR
#
# `start` writes DIR/kubeconfig (cluster-admin, client certificate), DIR/env (ports, paths, the
# binaries' directory) and DIR/*.log. Ports are free ones picked at start. The real-cluster tests
# (dev.firstordinal.e2e) call this script; it is also the way to get a cluster to try things by hand:
#
#   src/e2e/control-plane.sh start /tmp/fo-cluster && export KUBECONFIG=/tmp/fo-cluster/kubeconfig
#
# src/e2e/node.sh runs it for a real node with FIRST_ORDINAL_E2E_ADDRESS (the bridge's address: the kubelet refuses
# a loopback node IP) and FIRST_ORDINAL_E2E_NODE_NAME set: then the API server also listens there, runs the Node
# authorizer and reaches the kubelet with a client certificate, and the kubelet, scheduler and kube-proxy get
# certificates and kubeconfigs of their own. Services take addresses from 198.18.1.0/24 (RFC 2544 benchmarking range).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:-}"
dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

log() { echo "control-plane: $*" >&2; }
address="${FIRST_ORDINAL_E2E_ADDRESS:-127.0.0.1}"
node_name="${FIRST_ORDINAL_E2E_NODE_NAME:-}"
service_cidr=198.18.1.0/24
kubernetes_service_ip=198.18.1.1

free_port() {
  python3 - <<'PY' 2>/dev/null || { shuf -i 20000-45000 -n 1; }
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

stop() {
  local pidfile pid name
  for name in kube-controller-manager kube-apiserver etcd; do
    pidfile="$dir/$name.pid"
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

wait_for() { # what seconds command...
  local what="$1" seconds="$2"; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then log "$what not ready after ${seconds}s; see $dir/*.log"; stop; exit 1; fi
    sleep 0.2
  done
}

start_apiserver() {
  local node_flags=(--authorization-mode RBAC --endpoint-reconciler-type none)
  if [ -n "$node_name" ]; then
    # The `kubernetes` Service's endpoint is the bridge address, so pods reach the API server through it.
    node_flags=(--authorization-mode Node,RBAC --endpoint-reconciler-type lease
      --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key"
      --kubelet-certificate-authority "$pki/ca.crt" --kubelet-preferred-address-types InternalIP)
  fi
  "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address "$address" --advertise-address "$address" --secure-port "$api_port" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range "$service_cidr" \
    "${node_flags[@]}" \
    --allow-privileged \
    --profiling=false \
    >> "$dir/kube-apiserver.log" 2>&1 &
  echo $! > "$dir/kube-apiserver.pid"
  wait_for kube-apiserver 60 curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://$address:$api_port/readyz"
}

if [ "$cmd" = stop ]; then
  stop
  exit 0
fi
if [ "$cmd" = restart-apiserver ]; then
  # Stops and starts the API server on the same port and etcd (the tests' relist scenario).
  # shellcheck disable=SC1091
  . "$dir/env"
  bin="$FIRST_ORDINAL_E2E_BIN"; api_port="$FIRST_ORDINAL_E2E_API_PORT"; etcd_port="$FIRST_ORDINAL_E2E_ETCD_PORT"; pki="$dir/pki"
  address="$FIRST_ORDINAL_E2E_ADDRESS"; node_name="${FIRST_ORDINAL_E2E_NODE_NAME:-}"
  pid="$(cat "$dir/kube-apiserver.pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  start_apiserver
  log "kube-apiserver restarted on port $api_port"
  exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop|restart-apiserver DIR" >&2; exit 2; }

command -v openssl >/dev/null 2>&1 || { log "openssl is not on PATH (Debian package openssl)"; exit 1; }
binaries="$("$here/build-binaries.sh")"
eval "$binaries"
bin="$FIRST_ORDINAL_E2E_KUBE_BIN"; etcd_bin="$FIRST_ORDINAL_E2E_ETCD_BIN"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
stop # a previous start in the same directory
pki="$dir/pki"
mkdir -p "$pki"
started=$(date +%s%N)

# ---- certificates (RSA, as kubeadm makes them; fabric8 7.x cannot read an EC PKCS#8 client key): one CA signs the API server's serving certificate and the client certificates
if [ ! -f "$pki/ca.crt" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=first-ordinal-e2e-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  issue() { # name subject [extensions]
    openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
    printf '%s\n' "$3" > "$pki/$1.ext"
    openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 30 \
      -extfile "$pki/$1.ext" -out "$pki/$1.crt" 2>/dev/null
  }
  issue apiserver "/CN=kube-apiserver" "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:$kubernetes_service_ip,IP:$address
extendedKeyUsage=serverAuth"
  issue admin "/O=system:masters/CN=first-ordinal-e2e-admin" "extendedKeyUsage=clientAuth"
  issue controller-manager "/CN=system:kube-controller-manager" "extendedKeyUsage=clientAuth"
  if [ -n "$node_name" ]; then
    issue kubelet "/CN=system:node:$node_name" "subjectAltName=IP:$address,DNS:$node_name
extendedKeyUsage=serverAuth"
    issue kubelet-client "/O=system:nodes/CN=system:node:$node_name" "extendedKeyUsage=clientAuth"
    issue apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "extendedKeyUsage=clientAuth"
    issue scheduler "/CN=system:kube-scheduler" "extendedKeyUsage=clientAuth"
    issue kube-proxy "/CN=system:kube-proxy" "extendedKeyUsage=clientAuth"
  fi
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
fi

etcd_port=$(free_port); etcd_peer_port=$(free_port); api_port=$(free_port)

kubeconfig() { # file user
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: e2e
    cluster:
      server: https://$address:$api_port
      certificate-authority: $pki/ca.crt
users:
  - name: ${3:-$2}
    user:
      client-certificate: $pki/$2.crt
      client-key: $pki/$2.key
contexts:
  - name: e2e
    context: {cluster: e2e, user: ${3:-$2}}
current-context: e2e
EOF
}
kubeconfig "$dir/kubeconfig" admin
kubeconfig "$dir/controller-manager.kubeconfig" controller-manager
if [ -n "$node_name" ]; then
  kubeconfig "$dir/kubelet.kubeconfig" kubelet-client "system:node:$node_name"
  kubeconfig "$dir/scheduler.kubeconfig" scheduler
  kubeconfig "$dir/kube-proxy.kubeconfig" kube-proxy
fi

# ---- etcd
rm -rf "$dir/etcd-data" "$dir"/*.log
"$etcd_bin/etcd" --name e2e --data-dir "$dir/etcd-data" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "e2e=http://127.0.0.1:$etcd_peer_port" --unsafe-no-fsync --log-level warn \
  > "$dir/etcd.log" 2>&1 &
echo $! > "$dir/etcd.pid"

wait_for etcd 20 curl -sf "http://127.0.0.1:$etcd_port/health"

start_apiserver

# ---- kube-controller-manager
# With a node, the node lifecycle controller takes the kubelet's not-ready taint off once the node is Ready.
controllers='*,-nodeipam,-nodelifecycle,-ttl,-bootstrapsigner,-tokencleaner'
[ -n "$node_name" ] && controllers='*,-nodeipam,-ttl,-bootstrapsigner,-tokencleaner'
"$bin/kube-controller-manager" \
  --kubeconfig "$dir/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$dir/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$dir/controller-manager.kubeconfig" \
  --use-service-account-credentials \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 --kube-api-qps 200 --kube-api-burst 400 \
  --controllers "$controllers" \
  > "$dir/kube-controller-manager.log" 2>&1 &
echo $! > "$dir/kube-controller-manager.pid"

cat > "$dir/env" <<EOF
$binaries
FIRST_ORDINAL_E2E_BIN=$bin
FIRST_ORDINAL_E2E_API_PORT=$api_port
FIRST_ORDINAL_E2E_ETCD_PORT=$etcd_port
FIRST_ORDINAL_E2E_ADDRESS=$address
FIRST_ORDINAL_E2E_NODE_NAME=$node_name
KUBECONFIG=$dir/kubeconfig
EOF
# The ServiceAccount controller's first act: the default ServiceAccount, which pod admission needs.
wait_for kube-controller-manager 60 "$bin/kubectl" --kubeconfig "$dir/kubeconfig" get serviceaccount default -n default
log "ready in $(( ($(date +%s%N) - started) / 1000000 )) ms: KUBECONFIG=$dir/kubeconfig"
