#!/usr/bin/env bash
# Builds the upstream binaries the real-cluster tests run (kube-apiserver, kube-controller-manager,
# kubectl, etcd, velero and velero-plugin-for-aws) and the real node's (kubelet, kube-scheduler, kube-proxy,
# CoreDNS and a pause program) from their Go modules through the Go module proxy, at the versions pinned below,
# into a cache outside the repository: ${FIRST_ORDINAL_CACHE:-~/.cache/first-ordinal}/bin/<version>/,
# and copies the cert-manager and Velero CRDs from their Go modules into .../crds/<version>/.
# A second run finds them there and builds nothing. Prints KEY=VALUE lines (the directories) on stdout.
#
# k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces every staging module (k8s.io/api,
# k8s.io/apiserver, ...) with a local path. A scratch module requires it and replaces each of those
# with the published v0.<minor>.<patch> instead. etcd's server module is built the same way.
set -euo pipefail

KUBERNETES_VERSION="${KUBERNETES_VERSION:-v1.37.2}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
# CustomResourceDefinitions the shipped manifests use, as their projects publish them in their Go modules.
CERT_MANAGER_VERSION="${CERT_MANAGER_VERSION:-v1.21.2}"
VELERO_VERSION="${VELERO_VERSION:-v1.18.3}"
VELERO_AWS_PLUGIN_VERSION="${VELERO_AWS_PLUGIN_VERSION:-v1.14.3}"
# The real node (src/e2e/node.sh): kubelet, kube-scheduler and kube-proxy at KUBERNETES_VERSION, CoreDNS, a pause program.
COREDNS_VERSION="${COREDNS_VERSION:-v1.15.0}"
CACHE="${FIRST_ORDINAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/first-ordinal}"

staging_version="v0.${KUBERNETES_VERSION#v1.}"
kube_dir="$CACHE/bin/kubernetes-$KUBERNETES_VERSION"
node_dir="$CACHE/bin/kubernetes-node-$KUBERNETES_VERSION"
etcd_dir="$CACHE/bin/etcd-$ETCD_VERSION"

log() { echo "build-binaries: $*" >&2; }
here="$(cd "$(dirname "$0")" && pwd)"

command -v go >/dev/null 2>&1 || { log "go is not on PATH: the real-cluster tests need Go to build kube-apiserver and etcd"; exit 1; }
export GOFLAGS="-mod=mod" CGO_ENABLED=0

build_kubernetes() { # directory command...
  local out="$1"; shift
  local work; work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  log "building Kubernetes $KUBERNETES_VERSION ($*) into $out"
  (
    cd "$work"
    go mod init first-ordinal.test/kubernetes-binaries >/dev/null 2>&1
    go mod edit -require="k8s.io/kubernetes@$KUBERNETES_VERSION"
    go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" >/dev/null
    local upstream_mod
    upstream_mod="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.mod"
    # Every "k8s.io/x => ./staging/src/k8s.io/x" becomes "k8s.io/x => k8s.io/x v0.Y.Z".
    sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$upstream_mod" | while read -r m; do
      go mod edit -replace="$m=$m@$staging_version"
    done
    { printf '//go:build tools\n\npackage tools\n\nimport (\n'; for cmd in "$@"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$cmd"; done; printf ')\n'; } > tools.go
    go mod tidy -e >/dev/null 2>&1 || true
    local v="${KUBERNETES_VERSION#v}" ldflags
    ldflags="-s -w"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags="$ldflags -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=${v%%.*} -X $pkg.gitMinor=$(echo "$v" | cut -d. -f2) -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    mkdir -p "$out.partial"
    for cmd in "$@"; do
      go build -trimpath -ldflags "$ldflags" -o "$out.partial/$cmd" "k8s.io/kubernetes/cmd/$cmd"
      log "built $cmd"
    done
  )
  rm -rf "$out"; mv "$out.partial" "$out"
}

# CoreDNS with only the plugins the node needs (the kubernetes plugin answers *.svc.cluster.local and pod names;
# nothing is forwarded off the machine). Its own main package would pull every cloud provider's SDK.
build_coredns() {
  local work; work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  log "building CoreDNS $COREDNS_VERSION into $coredns_dir"
  (
    cd "$work"
    go mod init first-ordinal.test/coredns >/dev/null 2>&1
    go mod edit -require="github.com/coredns/coredns@$COREDNS_VERSION"
    cat > main.go <<'GO'
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() { dnsserver.Directives = []string{"bind", "health", "ready", "errors", "kubernetes"} }

func main() { coremain.Run() }
GO
    go mod tidy -e >/dev/null 2>&1 || true
    mkdir -p "$coredns_dir.partial"
    go build -trimpath -ldflags "-s -w" -o "$coredns_dir.partial/coredns" .
  )
  rm -rf "$coredns_dir"; mv "$coredns_dir.partial" "$coredns_dir"
  log "built coredns"
}

# The pod sandbox's process: PID 1 of every pod, it holds the namespaces, reaps children and exits on SIGTERM/SIGINT.
build_pause() {
  local work; work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  log "building the pause program into $pause_dir"
  (
    cd "$work"
    go mod init first-ordinal.test/pause >/dev/null 2>&1
    cat > main.go <<'GO'
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
GO
    mkdir -p "$pause_dir.partial"
    go build -trimpath -ldflags "-s -w" -o "$pause_dir.partial/pause" .
  )
  rm -rf "$pause_dir"; mv "$pause_dir.partial" "$pause_dir"
}

build_etcd() {
  local work; work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  log "building etcd $ETCD_VERSION into $etcd_dir"
  (
    cd "$work"
    go mod init first-ordinal.test/etcd-binary >/dev/null 2>&1
    go mod edit -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go
    go mod tidy -e >/dev/null 2>&1 || true
    mkdir -p "$etcd_dir.partial"
    go build -trimpath -ldflags "-s -w" -o "$etcd_dir.partial/etcd" go.etcd.io/etcd/server/v3
  )
  rm -rf "$etcd_dir"; mv "$etcd_dir.partial" "$etcd_dir"
  log "built etcd"
}

build_velero() { # builds what $velero_dir lacks: velero, velero-restore-helper, the AWS plugin
  local work; work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  log "building Velero $VELERO_VERSION and velero-plugin-for-aws $VELERO_AWS_PLUGIN_VERSION into $velero_dir"
  rm -rf "$velero_dir.partial"
  if [ -d "$velero_dir" ]; then cp -a "$velero_dir" "$velero_dir.partial"; fi
  (
    cd "$work"
    mkdir velero plugin
    cd velero
    go mod init first-ordinal.test/velero-binary >/dev/null 2>&1
    go mod edit -require="github.com/vmware-tanzu/velero@$VELERO_VERSION"
    go mod download -json "github.com/vmware-tanzu/velero@$VELERO_VERSION" >/dev/null
    # Velero's own go.mod replaces kopia with its fork; a requiring module must say so again.
    sed -n 's#^replace \(github.com/kopia/kopia\) => \([^ ]*\) \(.*\)#\1=\2@\3#p' \
      "$(go env GOMODCACHE)/cache/download/github.com/vmware-tanzu/velero/@v/$VELERO_VERSION.mod" | while read -r r; do
      go mod edit -replace="$r"
    done
    # This registry serves k8s.io/cli-runtime v0.33.13 but not the v0.33.12 Velero v1.18.3 pins: take the next patch.
    go mod edit -replace="k8s.io/cli-runtime=k8s.io/cli-runtime@${VELERO_CLI_RUNTIME_VERSION:-v0.33.13}"
    printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "github.com/vmware-tanzu/velero/cmd/velero"\n\t_ "github.com/vmware-tanzu/velero/cmd/velero-restore-helper"\n)\n' > tools.go
    go mod tidy -e >/dev/null 2>&1 || true
    mkdir -p "$velero_dir.partial"
    # velero-restore-helper is the init container Velero adds to a restored pod whose volumes come from a
    # file-system backup: it waits until the node agent has written the data.
    for cmd in velero velero-restore-helper; do
      [ -x "$velero_dir.partial/$cmd" ] || go build -trimpath \
        -ldflags "-s -w -X github.com/vmware-tanzu/velero/pkg/buildinfo.Version=$VELERO_VERSION" \
        -o "$velero_dir.partial/$cmd" "github.com/vmware-tanzu/velero/cmd/$cmd"
    done
    [ -x "$velero_dir.partial/plugins/velero-plugin-for-aws" ] && exit 0
    cd ../plugin
    go mod init first-ordinal.test/velero-plugin-binary >/dev/null 2>&1
    go mod edit -require="github.com/vmware-tanzu/velero-plugin-for-aws@$VELERO_AWS_PLUGIN_VERSION"
    printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/vmware-tanzu/velero-plugin-for-aws/velero-plugin-for-aws"\n' > tools.go
    go mod tidy -e >/dev/null 2>&1 || true
    mkdir -p "$velero_dir.partial/plugins"
    go build -trimpath -ldflags "-s -w" -o "$velero_dir.partial/plugins/velero-plugin-for-aws" \
      github.com/vmware-tanzu/velero-plugin-for-aws/velero-plugin-for-aws
  )
  rm -rf "$velero_dir"; mv "$velero_dir.partial" "$velero_dir"
  log "built velero, velero-restore-helper and velero-plugin-for-aws"
}

copy_crds() { # module version subdir destination
  local dir
  dir="$(cd "$(mktemp -d)" && go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir/$3" ] || { log "no $3 in $1@$2"; exit 1; }
  mkdir -p "$4.partial"
  cp "$dir/$3"/*.yaml "$4.partial/"
  rm -rf "$4"; mv "$4.partial" "$4"
}

start=$(date +%s)
coredns_dir="$CACHE/bin/coredns-$COREDNS_VERSION"
pause_dir="$CACHE/bin/pause-1"
velero_dir="$CACHE/bin/velero-$VELERO_VERSION-aws-$VELERO_AWS_PLUGIN_VERSION"
cert_manager_crds="$CACHE/crds/cert-manager-$CERT_MANAGER_VERSION"
velero_crds="$CACHE/crds/velero-$VELERO_VERSION"
have_etcd() { [ -x "$etcd_dir/etcd" ]; }
have_kubernetes() { [ -x "$kube_dir/kube-apiserver" ] && [ -x "$kube_dir/kube-controller-manager" ] && [ -x "$kube_dir/kubectl" ]; }
have_node() { [ -x "$node_dir/kubelet" ] && [ -x "$node_dir/kube-scheduler" ] && [ -x "$node_dir/kube-proxy" ]; }
have_coredns() { [ -x "$coredns_dir/coredns" ]; }
have_pause() { [ -x "$pause_dir/pause" ]; }
have_velero() { [ -x "$velero_dir/velero" ] && [ -x "$velero_dir/velero-restore-helper" ] && [ -x "$velero_dir/plugins/velero-plugin-for-aws" ]; }
have_crds() { [ -d "$cert_manager_crds" ] && [ -d "$velero_crds" ]; }
if ! { have_etcd && have_kubernetes && have_node && have_coredns && have_pause && have_velero && have_crds; }; then
  # One build at a time: two test JVMs (or a test and .ci/run) starting a cold build together would
  # each move a half-built directory over the other's. The second waits, then finds everything built.
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.build.lock"
  if ! flock -n 9; then
    log "another build holds $CACHE/.build.lock; waiting for it"
    flock 9
  fi
  have_etcd || build_etcd
  have_kubernetes || build_kubernetes "$kube_dir" kube-apiserver kube-controller-manager kubectl
  have_node || build_kubernetes "$node_dir" kubelet kube-scheduler kube-proxy
  have_coredns || build_coredns
  have_pause || build_pause
  have_velero || build_velero
  [ -d "$cert_manager_crds" ] || copy_crds github.com/cert-manager/cert-manager "$CERT_MANAGER_VERSION" deploy/crds "$cert_manager_crds"
  [ -d "$velero_crds" ] || copy_crds github.com/vmware-tanzu/velero "$VELERO_VERSION" config/crd/v1/bases "$velero_crds"
fi
# s3proxy (Java, from Maven Central): the S3 server behind Velero's BackupStorageLocation.
s3proxy_classpath="$CACHE/s3proxy-$(sed -n 's#.*<version>\(.*\)</version>.*#\1#p' "$here/s3proxy/pom.xml" | tail -1).classpath"
if [ ! -s "$s3proxy_classpath" ]; then
  log "resolving s3proxy from Maven Central"
  "$here/../../mvnw" -B -q -f "$here/s3proxy/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.outputFile="$s3proxy_classpath.partial" >&2
  mv "$s3proxy_classpath.partial" "$s3proxy_classpath"
fi
log "binaries ready in $(( $(date +%s) - start )) s"

echo "FIRST_ORDINAL_E2E_KUBE_BIN=$kube_dir"
echo "FIRST_ORDINAL_E2E_ETCD_BIN=$etcd_dir"
echo "FIRST_ORDINAL_E2E_NODE_BIN=$node_dir"
echo "FIRST_ORDINAL_E2E_COREDNS_BIN=$coredns_dir"
echo "FIRST_ORDINAL_E2E_PAUSE_BIN=$pause_dir"
echo "FIRST_ORDINAL_E2E_KUBERNETES_VERSION=$KUBERNETES_VERSION"
echo "FIRST_ORDINAL_E2E_CERT_MANAGER_CRDS=$cert_manager_crds"
echo "FIRST_ORDINAL_E2E_VELERO_CRDS=$velero_crds"
echo "FIRST_ORDINAL_E2E_VELERO_BIN=$velero_dir"
echo "FIRST_ORDINAL_E2E_VELERO_VERSION=$VELERO_VERSION"
echo "FIRST_ORDINAL_E2E_VELERO_AWS_PLUGIN_VERSION=$VELERO_AWS_PLUGIN_VERSION"
echo "FIRST_ORDINAL_E2E_S3PROXY_CLASSPATH=$s3proxy_classpath"
