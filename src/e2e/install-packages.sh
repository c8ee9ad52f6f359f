#!/usr/bin/env bash
# Installs the Debian packages the tests need, when they are missing: `./mvnw verify` runs it before the tests
# (it is the README's test command, and nothing else has to be installed by hand). As root it runs apt-get; as
# anyone else it names the packages and fails, so that no test starts without what it needs.
#   unit and packaged-jar tests: redis-server, redis-tools (the hook against a real Redis), busybox (the hook under
#     busybox sh), openssl (TLS checks), curl, python3, unzip
#   the real node (src/e2e/node.sh): containerd, runc, containernetworking-plugins, iptables, conntrack, buildah,
#     mmdebstrap (images built here: there is no registry)
# Go and kubectl come with the machine image; Go builds the Kubernetes, etcd, Velero and CoreDNS binaries.
set -euo pipefail

need=""
want() { # command package
  command -v "$1" >/dev/null 2>&1 || case " $need " in *" $2 "*) ;; *) need="$need $2" ;; esac
}
want redis-server redis-server
want redis-cli redis-tools
want redis-sentinel redis-sentinel
want busybox busybox
want openssl openssl
want curl curl
want python3 python3
want unzip unzip
want containerd containerd
want ctr containerd
want runc runc
want iptables iptables
want conntrack conntrack
want buildah buildah
want mmdebstrap mmdebstrap
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] \
  || need="$need containernetworking-plugins"

[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-packages: the tests need these Debian packages:$need" >&2
  echo "install-packages: install them as root: apt-get install$need" >&2
  exit 1
fi
echo "install-packages: installing$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
