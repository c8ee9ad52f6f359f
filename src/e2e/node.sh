#!/usr/bin/env bash
# A real one-node Kubernetes on this machine, for the *NodeIT tests and by hand (as root):
#
#   src/e2e/node.sh start DIR   # builds what is missing (cached), starts the node, waits until it is Ready
#   src/e2e/node.sh stop DIR    # stops it and undoes every change to the host, also after a failed start
#
# What runs: the control plane of src/e2e/control-plane.sh on the bridge address (the kubelet refuses a loopback
# node IP), containerd 1.6 with its own root, state and socket, the CNI bridge plugin, kubelet, kube-scheduler,
# kube-proxy (iptables mode) and CoreDNS (a host process on the bridge address, the pods' nameserver; it answers
# cluster.local names only and forwards nothing). Images are built on the machine (src/e2e/images.sh) and
# imported into containerd: nothing is pulled.
#
# The network stays inside the machine: pods get addresses in 198.18.0.0/24 and Services in 198.18.1.0/24 (RFC 2544
# benchmarking range), the node is 198.18.0.1 on the bridge fo-br0, pods have no default route (only a route to the
# Service range), nothing is masqueraded, and a FORWARD rule drops whatever a pod sends outside 198.18.0.0/15.
#
# Host changes, all undone by `stop`: the bridge and the pods' network namespaces and veths; the iptables rules of
# kube-proxy and the guard chain; mounts under the node's directories; sysctls the kubelet and kube-proxy set
# (kernel.panic, kernel.panic_on_oops, vm.overcommit_memory) and net.ipv4.ip_forward, recorded before the start
# and restored; the kubelet's cgroups. One node per machine: the bridge name and the runtime directories are fixed.
#
# `start` writes DIR/kubeconfig (cluster-admin), DIR/env (KEY=VALUE: addresses, ports, sockets, images) and DIR/*.log.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:-}"
dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

BRIDGE=fo-br0
ADDRESS=198.18.0.1
POD_CIDR=198.18.0.0/24
SERVICE_CIDR=198.18.1.0/24
GUARD_CIDR=198.18.0.0/15
NODE_NAME=fo-node
GUARD_CHAIN=FO-NODE-GUARD
# Fixed, short paths: unix socket paths are limited to 108 bytes, and a repository may live deep.
STATE=/var/lib/first-ordinal-node
RUN=/run/first-ordinal-node
SOCKET="$RUN/containerd/containerd.sock"
SETTINGS="net.ipv4.ip_forward kernel.panic kernel.panic_on_oops vm.overcommit_memory"

log() { echo "node: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop_pid() { # name
  local pidfile="$dir/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

kubectl_admin() {
  "$FIRST_ORDINAL_E2E_BIN/kubectl" --kubeconfig "$dir/kubeconfig" --request-timeout 10s "$@"
}

stop() {
  set +e
  [ -f "$dir/env" ] && . "$dir/env"
  # Workloads first, while the kubelet still runs: it stops each pod's containers and sandbox, and the CNI plugin
  # takes back its address and veth. The controller manager goes first so that nothing recreates them.
  if [ -f "$dir/kubelet.pid" ] && [ -n "${FIRST_ORDINAL_E2E_BIN:-}" ]; then
    stop_pid kube-controller-manager
    kubectl_admin delete pods --all --all-namespaces --grace-period 2 --wait=false >/dev/null 2>&1
    for _ in $(seq 1 60); do
      [ -z "$(ctr --address "$SOCKET" --namespace k8s.io tasks ls -q 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  stop_pid coredns
  stop_pid kube-proxy
  stop_pid kube-scheduler
  stop_pid kubelet
  # Whatever the kubelet left running.
  if [ -S "$SOCKET" ]; then
    local task
    for task in $(ctr --address "$SOCKET" --namespace k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$SOCKET" --namespace k8s.io tasks kill --signal SIGKILL "$task" >/dev/null 2>&1
    done
    sleep 1
    for task in $(ctr --address "$SOCKET" --namespace k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$SOCKET" --namespace k8s.io tasks delete --force "$task" >/dev/null 2>&1
    done
  fi
  stop_pid containerd
  # The runc shims of this containerd only: they carry its socket in their own -address flag.
  local pid
  for pid in $(pgrep -f -- "-address $SOCKET( |$)" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  [ -x "$here/control-plane.sh" ] && "$here/control-plane.sh" stop "$dir" 2>/dev/null
  if [ -f "$dir/kube-proxy.yaml" ] && [ -n "${FIRST_ORDINAL_E2E_NODE_BIN:-}" ]; then
    "$FIRST_ORDINAL_E2E_NODE_BIN/kube-proxy" --cleanup >/dev/null 2>&1
  fi
  # Mounts under the node's directories, deepest first.
  local target
  for target in $(awk '{print $5}' /proc/self/mountinfo | grep -E "^($STATE|$RUN)(/|$)" | sort -r); do
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null
  done
  # The pods' network namespaces (named cni-<uuid> by containerd) that did not exist before the start.
  if [ -f "$dir/netns.before" ]; then
    local ns
    for ns in $(ls /var/run/netns 2>/dev/null | grep '^cni-'); do
      grep -qxF "$ns" "$dir/netns.before" || ip netns delete "$ns" 2>/dev/null
    done
  fi
  # The kubelet's own chains (kube-proxy --cleanup leaves them), unless they were there before the start.
  local tool table chain
  for tool in iptables ip6tables; do
    for table in filter nat mangle; do
      for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
        grep -qxF "$tool $table $chain" "$dir/chains.before" 2>/dev/null && continue
        "$tool" -w -t "$table" -n -L "$chain" >/dev/null 2>&1 || continue
        "$tool" -w -t "$table" -D INPUT -j "$chain" 2>/dev/null
        "$tool" -w -t "$table" -D OUTPUT -j "$chain" 2>/dev/null
        "$tool" -w -t "$table" -F "$chain"; "$tool" -w -t "$table" -X "$chain"
      done
    done
  done
  if iptables -w -n -L "$GUARD_CHAIN" >/dev/null 2>&1; then
    iptables -w -D FORWARD -s "$POD_CIDR" -j "$GUARD_CHAIN" 2>/dev/null
    iptables -w -F "$GUARD_CHAIN"; iptables -w -X "$GUARD_CHAIN"
  fi
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE"
  command -v conntrack >/dev/null 2>&1 && conntrack -D -s "$GUARD_CIDR" >/dev/null 2>&1
  # The kubelet's cgroups (cgroup v1: one tree per controller), deepest first.
  local group
  for group in $(find /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/kubepods.slice -depth -type d 2>/dev/null); do
    rmdir "$group" 2>/dev/null
  done
  if [ -f "$dir/host-settings" ]; then
    local key value
    while read -r key value; do sysctl -q -w "$key=$value" >/dev/null 2>&1; done < "$dir/host-settings"
    rm -f "$dir/host-settings" "$dir/netns.before" "$dir/chains.before"
  fi
  rm -rf "$STATE" "$RUN"
  set -e
}

wait_for() { # what seconds command...
  local what="$1" seconds="$2"; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then log "$what not ready after ${seconds}s; see $dir/*.log"; return 1; fi
    sleep 0.3
  done
}

preflight() {
  [ "$(id -u)" = 0 ] || { log "must run as root (containerd, the kubelet and the bridge need it)"; exit 1; }
  local missing="" c
  for c in containerd:containerd ctr:containerd runc:runc ip:iproute2 iptables:iptables conntrack:conntrack \
           buildah:buildah mmdebstrap:mmdebstrap python3:python3 openssl:openssl curl:curl; do
    command -v "${c%%:*}" >/dev/null 2>&1 || missing="$missing ${c#*:}"
  done
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] \
    || missing="$missing containernetworking-plugins"
  [ -z "$missing" ] || { log "missing Debian packages:$missing (apt-get install$missing)"; exit 1; }
  [ -d /proc/sys/net/bridge ] || modprobe br_netfilter 2>/dev/null \
    || { log "the kernel has no br_netfilter: Service traffic between pods would bypass kube-proxy's rules"; exit 1; }
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    # A node whose processes were killed (a test JVM killed with SIGKILL never ran its `stop`) is cleaned up with
    # its own directory's records; a node whose kubelet still runs is another one, and is left alone.
    local owner; owner="$(cat "$STATE/owner" 2>/dev/null || true)"
    if [ -n "$owner" ] && [ "$owner" != "$dir" ] && [ -f "$owner/kubelet.pid" ] && kill -0 "$(cat "$owner/kubelet.pid")" 2>/dev/null; then
      log "another node runs here (started in $owner): src/e2e/node.sh stop $owner"
      exit 1
    fi
    if [ -n "$owner" ] && [ "$owner" != "$dir" ] && [ -d "$owner" ]; then
      log "cleaning up the node left behind in $owner"
      "$here/node.sh" stop "$owner"
    fi
    if ip link show "$BRIDGE" >/dev/null 2>&1 && [ "$owner" != "$dir" ]; then
      log "the bridge $BRIDGE exists and no node directory records it: remove it (ip link delete $BRIDGE) or stop the node that made it"
      exit 1
    fi
  fi
}

write_configs() {
  mkdir -p "$RUN/containerd" "$STATE/containerd" "$STATE/kubelet" "$STATE/volumes" "$dir/cni"
  cat > "$dir/containerd.toml" <<EOF
version = 2
root = "$STATE/containerd"
state = "$RUN/containerd"
[grpc]
  address = "$SOCKET"
[ttrpc]
  address = "$RUN/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$FIRST_ORDINAL_E2E_PAUSE_IMAGE"
  # No CAP_SYS_RESOURCE here: a negative oom_score_adj fails every sandbox.
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/opt"
EOF
  cat > "$dir/cni/10-first-ordinal-node.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "first-ordinal-node",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "isDefaultGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni-ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "rangeStart": "198.18.0.16", "rangeEnd": "198.18.0.254", "gateway": "$ADDRESS"}]],
        "routes": [{"dst": "$SERVICE_CIDR"}]
      }
    }
  ]
}
EOF
  printf 'nameserver %s\noptions ndots:5\n' "$ADDRESS" > "$dir/resolv.conf"
  cat > "$dir/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# cgroup v1 machines: kubelet 1.35+ refuses them unless told otherwise.
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$SOCKET
address: $ADDRESS
port: $kubelet_port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $kubelet_healthz_port
tlsCertFile: $dir/pki/kubelet.crt
tlsPrivateKeyFile: $dir/pki/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $dir/pki/ca.crt}
authorization:
  mode: AlwaysAllow
clusterDomain: cluster.local
clusterDNS: [$ADDRESS]
resolvConf: $dir/resolv.conf
# The images exist only here: never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
failSwapOn: false
serializeImagePulls: false
volumePluginDir: $STATE/kubelet-volume-plugins
shutdownGracePeriod: 0s
maxPods: 250
EOF
  cat > "$dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $dir/kube-proxy.kubeconfig
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $ADDRESS
healthzBindAddress: 127.0.0.1:$proxy_healthz_port
metricsBindAddress: 127.0.0.1:$proxy_metrics_port
nodePortAddresses: ["$ADDRESS/32"]
# Zero leaves the host's conntrack sysctls as they are.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
iptables:
  # true would set net.ipv4.conf.all.route_localnet.
  localhostNodePorts: false
EOF
  cat > "$dir/Corefile" <<EOF
.:53 {
    bind $ADDRESS
    errors
    health 127.0.0.1:$dns_health_port
    ready 127.0.0.1:$dns_ready_port
    kubernetes cluster.local in-addr.arpa {
        kubeconfig $dir/kubeconfig
        pods insecure
        ttl 5
    }
}
EOF
}

start() {
  preflight
  stop
  local started; started=$(date +%s%N)
  eval "$("$here/build-binaries.sh")"
  eval "$("$here/images.sh" base)"
  trap 'log "start failed; stopping what was started"; stop' ERR

  # ---- host settings, recorded before anything changes them
  local key
  ls /var/run/netns 2>/dev/null > "$dir/netns.before" || true
  : > "$dir/chains.before"
  local tool table chain
  for tool in iptables ip6tables; do
    for table in filter nat mangle; do
      for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
        "$tool" -w -t "$table" -n -L "$chain" >/dev/null 2>&1 && echo "$tool $table $chain" >> "$dir/chains.before"
      done
    done
  done
  : > "$dir/host-settings"
  for key in $SETTINGS; do echo "$key $(sysctl -n "$key")" >> "$dir/host-settings"; done

  # ---- network (the node's directory is recorded first, so that a later start can clean up after a killed one)
  mkdir -p "$STATE"
  echo "$dir" > "$STATE/owner"
  ip link add "$BRIDGE" type bridge
  ip addr add "$ADDRESS/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  sysctl -q -w net.ipv4.ip_forward=1
  iptables -w -N "$GUARD_CHAIN"
  iptables -w -A "$GUARD_CHAIN" -d "$GUARD_CIDR" -j RETURN
  iptables -w -A "$GUARD_CHAIN" -j DROP
  iptables -w -I FORWARD -s "$POD_CIDR" -j "$GUARD_CHAIN"

  # ---- control plane on the bridge address
  FIRST_ORDINAL_E2E_ADDRESS=$ADDRESS FIRST_ORDINAL_E2E_NODE_NAME=$NODE_NAME "$here/control-plane.sh" start "$dir"
  . "$dir/env"

  kubelet_port=$(free_port); kubelet_healthz_port=$(free_port)
  proxy_healthz_port=$(free_port); proxy_metrics_port=$(free_port)
  dns_health_port=$(free_port); dns_ready_port=$(free_port)
  write_configs

  # ---- containerd and the images
  containerd --config "$dir/containerd.toml" > "$dir/containerd.log" 2>&1 &
  echo $! > "$dir/containerd.pid"
  wait_for containerd 30 ctr --address "$SOCKET" version
  "$here/images.sh" import "$SOCKET" "$FIRST_ORDINAL_E2E_PAUSE_ARCHIVE" "$FIRST_ORDINAL_E2E_REDIS_ARCHIVE" \
    "$FIRST_ORDINAL_E2E_KUBECTL_ARCHIVE"

  # ---- kubelet, scheduler, kube-proxy, CoreDNS
  "$FIRST_ORDINAL_E2E_NODE_BIN/kubelet" --config "$dir/kubelet.yaml" --kubeconfig "$dir/kubelet.kubeconfig" \
    --root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet/pki" --node-ip "$ADDRESS" --hostname-override "$NODE_NAME" \
    --v 1 > "$dir/kubelet.log" 2>&1 &
  echo $! > "$dir/kubelet.pid"
  "$FIRST_ORDINAL_E2E_NODE_BIN/kube-scheduler" --kubeconfig "$dir/scheduler.kubeconfig" --leader-elect=false \
    --secure-port 0 > "$dir/kube-scheduler.log" 2>&1 &
  echo $! > "$dir/kube-scheduler.pid"
  "$FIRST_ORDINAL_E2E_NODE_BIN/kube-proxy" --config "$dir/kube-proxy.yaml" > "$dir/kube-proxy.log" 2>&1 &
  echo $! > "$dir/kube-proxy.pid"
  "$FIRST_ORDINAL_E2E_COREDNS_BIN/coredns" -conf "$dir/Corefile" > "$dir/coredns.log" 2>&1 &
  echo $! > "$dir/coredns.pid"

  wait_for "node $NODE_NAME" 90 sh -c "'$FIRST_ORDINAL_E2E_BIN/kubectl' --kubeconfig '$dir/kubeconfig' get node $NODE_NAME \
    -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
  wait_for kube-proxy 30 curl -sf "http://127.0.0.1:$proxy_healthz_port/healthz"
  wait_for coredns 30 curl -sf "http://127.0.0.1:$dns_ready_port/ready"
  # Static local volumes (no provisioner here): claims wait for their pod's node, then bind to a free PV under
  # $STATE/volumes that the tests create (RealNode.ensureFreeVolumes).
  kubectl_admin apply -f - > /dev/null <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
EOF
  trap - ERR

  cat >> "$dir/env" <<EOF
FIRST_ORDINAL_E2E_NODE_NAME=$NODE_NAME
FIRST_ORDINAL_E2E_NODE_ADDRESS=$ADDRESS
FIRST_ORDINAL_E2E_POD_CIDR=$POD_CIDR
FIRST_ORDINAL_E2E_SERVICE_CIDR=$SERVICE_CIDR
FIRST_ORDINAL_E2E_CONTAINERD_SOCKET=$SOCKET
FIRST_ORDINAL_E2E_KUBELET_ROOT=$STATE/kubelet
FIRST_ORDINAL_E2E_VOLUMES=$STATE/volumes
FIRST_ORDINAL_E2E_PAUSE_IMAGE=$FIRST_ORDINAL_E2E_PAUSE_IMAGE
FIRST_ORDINAL_E2E_REDIS_IMAGE=$FIRST_ORDINAL_E2E_REDIS_IMAGE
FIRST_ORDINAL_E2E_KUBECTL_IMAGE=$FIRST_ORDINAL_E2E_KUBECTL_IMAGE
FIRST_ORDINAL_E2E_JAVA_BASE_IMAGE=$FIRST_ORDINAL_E2E_JAVA_BASE_IMAGE
EOF
  log "ready in $(( ($(date +%s%N) - started) / 1000000 )) ms: node $NODE_NAME at $ADDRESS, KUBECONFIG=$dir/kubeconfig"
}

case "$cmd" in
  start) start ;;
  stop) stop; log "stopped" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
