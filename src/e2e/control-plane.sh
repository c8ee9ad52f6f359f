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
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:-}"
dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

log() { echo "control-plane: $*" >&2; }

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
  "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --authorization-mode RBAC \
    --endpoint-reconciler-type none \
    --allow-privileged \
    --profiling=false \
    >> "$dir/kube-apiserver.log" 2>&1 &
  echo $! > "$dir/kube-apiserver.pid"
  wait_for kube-apiserver 60 curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$api_port/readyz"
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
  issue apiserver "/CN=kube-apiserver" "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1
extendedKeyUsage=serverAuth"
  issue admin "/O=system:masters/CN=first-ordinal-e2e-admin" "extendedKeyUsage=clientAuth"
  issue controller-manager "/CN=system:kube-controller-manager" "extendedKeyUsage=clientAuth"
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
      server: https://127.0.0.1:$api_port
      certificate-authority: $pki/ca.crt
users:
  - name: $2
    user:
      client-certificate: $pki/$2.crt
      client-key: $pki/$2.key
contexts:
  - name: e2e
    context: {cluster: e2e, user: $2}
current-context: e2e
EOF
}
kubeconfig "$dir/kubeconfig" admin
kubeconfig "$dir/controller-manager.kubeconfig" controller-manager

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
"$bin/kube-controller-manager" \
  --kubeconfig "$dir/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$dir/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$dir/controller-manager.kubeconfig" \
  --use-service-account-credentials \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 --kube-api-qps 200 --kube-api-burst 400 \
  --controllers '*,-nodeipam,-nodelifecycle,-ttl,-bootstrapsigner,-tokencleaner' \
  > "$dir/kube-controller-manager.log" 2>&1 &
echo $! > "$dir/kube-controller-manager.pid"

cat > "$dir/env" <<EOF
$binaries
FIRST_ORDINAL_E2E_BIN=$bin
FIRST_ORDINAL_E2E_API_PORT=$api_port
FIRST_ORDINAL_E2E_ETCD_PORT=$etcd_port
KUBECONFIG=$dir/kubeconfig
EOF
# The ServiceAccount controller's first act: the default ServiceAccount, which pod admission needs.
wait_for kube-controller-manager 60 "$bin/kubectl" --kubeconfig "$dir/kubeconfig" get serviceaccount default -n default
log "ready in $(( ($(date +%s%N) - started) / 1000000 )) ms: KUBECONFIG=$dir/kubeconfig"
