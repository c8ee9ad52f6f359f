#!/usr/bin/env bash
# Container images for the real node (src/e2e/node.sh), built on this machine: there is no registry.
#
#   src/e2e/images.sh base                 # the pause, Redis, kubectl and Java base images (cached); prints KEY=VALUE lines
#   src/e2e/images.sh webhook REPO TAG     # Dockerfile.jvm as shipped, on the Java base; needs REPO/target/quarkus-app
#   src/e2e/images.sh velero               # Velero's server/node-agent image and its AWS plugin image (binaries of build-binaries.sh)
#   src/e2e/images.sh import SOCKET TAR... # into a containerd's k8s.io namespace, named as when built
#
# Root filesystems come from Debian's own packages (mmdebstrap), images are made with buildah (its own storage in
# the cache directory, overlay driver) and exported as OCI archives into ${FIRST_ORDINAL_CACHE:-~/.cache/first-ordinal}/images/.
# A second run finds them there. Every image is named localhost/<name>:<tag>; pods use them with
# imagePullPolicy: Never (or IfNotPresent), and nothing is ever pulled.
#
# The Java base stands in for the UBI OpenJDK 25 runtime that Dockerfile.jvm names (it cannot be pulled here): a
# Debian root filesystem, the machine's JDK 25, user 185 owning /deployments, and run-java.sh at the path UBI has it
# (src/e2e/images/run-java.sh, composing the Dockerfile's variables the way UBI's script does).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
CACHE="${FIRST_ORDINAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/first-ordinal}"
SUITE="${FIRST_ORDINAL_DEBIAN_SUITE:-bookworm}"
# Bump when a recipe below changes: the cached root filesystems and archives are named by them.
ROOTFS_REVISION=1
REVISION=2
# The Velero images' own revision (3: velero-restore-helper added, the plugin in an image of its own).
VELERO_REVISION=3
images="$CACHE/images"
bh=(buildah --root "$CACHE/buildah/root" --runroot "$CACHE/buildah/run" --storage-driver overlay)

log() { echo "images: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { log "$1 is not on PATH (Debian package ${2:-$1})"; exit 1; }; }

rootfs() { # name packages... -> path of a cached root filesystem tar
  local out="$images/rootfs-$SUITE-$1-r$ROOTFS_REVISION.tar"; shift
  if [ ! -s "$out" ]; then
    need mmdebstrap
    mkdir -p "$images"
    log "building a $SUITE root filesystem with: ${*:-essential packages only}"
    local include=()
    [ $# -gt 0 ] && include=(--include="$(IFS=,; echo "$*")")
    rm -rf "$out.partial"
    mmdebstrap --quiet --variant=essential --format=tar "${include[@]}" "$SUITE" "$out.partial" >&2
    mv "$out.partial" "$out"
  fi
  echo "$out"
}

export_image() { # image archive
  rm -f "$2.partial"
  "${bh[@]}" push --quiet "$1" "oci-archive:$2.partial:$1" >&2
  mv "$2.partial" "$2"
}

from_rootfs() { # tar -> working container
  local c; c="$("${bh[@]}" from --quiet scratch)"
  "${bh[@]}" add --quiet "$c" "$1" / >&2
  echo "$c"
}

pause_image() {
  local out="$images/pause-r$REVISION.tar"
  if [ ! -s "$out" ]; then
    eval "$("$here/build-binaries.sh")"
    local c; c="$("${bh[@]}" from --quiet scratch)"
    "${bh[@]}" copy --quiet "$c" "$FIRST_ORDINAL_E2E_PAUSE_BIN/pause" /pause >&2
    "${bh[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$c"
    "${bh[@]}" commit --quiet --rm "$c" localhost/first-ordinal-e2e/pause:r$REVISION >/dev/null
    export_image localhost/first-ordinal-e2e/pause:r$REVISION "$out"
  fi
  echo "FIRST_ORDINAL_E2E_PAUSE_IMAGE=localhost/first-ordinal-e2e/pause:r$REVISION"
  echo "FIRST_ORDINAL_E2E_PAUSE_ARCHIVE=$out"
}

redis_image() {
  local out="$images/redis-r$REVISION.tar"
  if [ ! -s "$out" ]; then
    local c mnt; c="$(from_rootfs "$(rootfs redis redis-server redis-tools redis-sentinel)")"
    mnt="$("${bh[@]}" mount "$c")"
    # As the Docker Hub redis image: arguments alone (`args: ["--appendonly", "no"]`) are redis-server's.
    printf '%s\n' '#!/bin/sh' 'set -e' \
      'if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi' 'exec "$@"' \
      > "$mnt/usr/local/bin/docker-entrypoint.sh"
    chmod 0755 "$mnt/usr/local/bin/docker-entrypoint.sh"
    mkdir -p "$mnt/data"
    "${bh[@]}" umount "$c" >/dev/null
    "${bh[@]}" config --entrypoint '["docker-entrypoint.sh"]' --cmd '["redis-server"]' --workingdir /data "$c"
    "${bh[@]}" commit --quiet --rm "$c" localhost/first-ordinal-e2e/redis:r$REVISION >/dev/null
    export_image localhost/first-ordinal-e2e/redis:r$REVISION "$out"
  fi
  echo "FIRST_ORDINAL_E2E_REDIS_IMAGE=localhost/first-ordinal-e2e/redis:r$REVISION"
  echo "FIRST_ORDINAL_E2E_REDIS_ARCHIVE=$out"
}

jdk25() {
  local home v
  for home in ${FIRST_ORDINAL_IMAGE_JDK:-} "${JAVA_HOME:-}" /usr/lib/jvm/*/; do
    [ -n "$home" ] && [ -x "$home/bin/java" ] || continue
    v="$("$home/bin/java" -version 2>&1 | sed -n '1s/^[^"]*"\([0-9][0-9]*\).*/\1/p')"
    [ "${v:-0}" -ge 25 ] && { echo "${home%/}"; return; }
  done
  log "no JDK 25 or later found (FIRST_ORDINAL_IMAGE_JDK, JAVA_HOME, /usr/lib/jvm): the image's runtime is Java 25"
  exit 1
}

java_base_image() {
  local out="$images/java-base-r$REVISION.tar"
  if [ ! -s "$out" ]; then
    local jdk c mnt
    jdk="$(jdk25)"
    c="$(from_rootfs "$(rootfs java-base)")"
    mnt="$("${bh[@]}" mount "$c")"
    mkdir -p "$mnt/usr/lib/jvm" "$mnt/opt/jboss/container/java/run" "$mnt/deployments" "$mnt/home/jboss"
    # The runtime: the JDK less its sources, headers and manual pages.
    (cd "$jdk" && tar --exclude=./lib/src.zip --exclude=./include --exclude=./man -cf - .) \
      | (mkdir -p "$mnt/usr/lib/jvm/java-25" && tar -xf - -C "$mnt/usr/lib/jvm/java-25")
    install -m 0755 "$here/images/run-java.sh" "$mnt/opt/jboss/container/java/run/run-java.sh"
    # UBI's user: uid 185 in group 0, owning /deployments.
    echo "jboss:x:185:0:JBoss user:/home/jboss:/sbin/nologin" >> "$mnt/etc/passwd"
    chown 185:0 "$mnt/deployments" "$mnt/home/jboss"
    chmod 0775 "$mnt/deployments"
    "${bh[@]}" umount "$c" >/dev/null
    "${bh[@]}" config --env JAVA_HOME=/usr/lib/jvm/java-25 \
      --env PATH=/usr/lib/jvm/java-25/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --env JAVA_APP_DIR=/deployments --workingdir /deployments --user 185 "$c"
    "${bh[@]}" commit --quiet --rm "$c" localhost/first-ordinal-e2e/openjdk-25-runtime:r$REVISION >/dev/null
    export_image localhost/first-ordinal-e2e/openjdk-25-runtime:r$REVISION "$out"
  fi
  echo "FIRST_ORDINAL_E2E_JAVA_BASE_IMAGE=localhost/first-ordinal-e2e/openjdk-25-runtime:r$REVISION"
}

# The chart's kubectl image (its pre-delete hook and `helm test` pods run /bin/kubectl): the kubectl built here.
kubectl_image() {
  eval "$("$here/build-binaries.sh")"
  local tag; tag="$FIRST_ORDINAL_E2E_KUBERNETES_VERSION-r$REVISION"
  local out="$images/kubectl-$tag.tar"
  if [ ! -s "$out" ]; then
    local c; c="$("${bh[@]}" from --quiet scratch)"
    "${bh[@]}" copy --quiet --chmod 0755 "$c" "$FIRST_ORDINAL_E2E_KUBE_BIN/kubectl" /bin/kubectl >&2
    "${bh[@]}" config --entrypoint '["/bin/kubectl"]' --user 65532:65532 "$c"
    "${bh[@]}" commit --quiet --rm "$c" "localhost/first-ordinal-e2e/kubectl:$tag" >/dev/null
    export_image "localhost/first-ordinal-e2e/kubectl:$tag" "$out"
  fi
  echo "FIRST_ORDINAL_E2E_KUBECTL_IMAGE=localhost/first-ordinal-e2e/kubectl:$tag"
  echo "FIRST_ORDINAL_E2E_KUBECTL_ARCHIVE=$out"
}

# Velero's server and node-agent image: /velero, /velero-restore-helper (the init container of a pod restored from a
# file-system backup) and the AWS plugin; and the plugin's own image, whose entrypoint copies it to /target as
# `velero install --plugins` expects of a plugin image.
velero_image() {
  eval "$("$here/build-binaries.sh")"
  local tag; tag="$FIRST_ORDINAL_E2E_VELERO_VERSION-r$VELERO_REVISION"
  local plugin_tag; plugin_tag="$FIRST_ORDINAL_E2E_VELERO_AWS_PLUGIN_VERSION-r$VELERO_REVISION"
  local out="$images/velero-$tag.tar" plugin_out="$images/velero-plugin-for-aws-$plugin_tag.tar"
  if [ ! -s "$out" ]; then
    local c mnt
    c="$(from_rootfs "$(rootfs velero ca-certificates)")"
    mnt="$("${bh[@]}" mount "$c")"
    install -m 0755 "$FIRST_ORDINAL_E2E_VELERO_BIN/velero" "$mnt/velero"
    install -m 0755 "$FIRST_ORDINAL_E2E_VELERO_BIN/velero-restore-helper" "$mnt/velero-restore-helper"
    "${bh[@]}" umount "$c" >/dev/null
    "${bh[@]}" config --entrypoint '["/velero"]' --env PATH=/:/usr/sbin:/usr/bin:/sbin:/bin "$c"
    "${bh[@]}" commit --quiet --rm "$c" "localhost/first-ordinal-e2e/velero:$tag" >/dev/null
    export_image "localhost/first-ordinal-e2e/velero:$tag" "$out"
  fi
  if [ ! -s "$plugin_out" ]; then
    local c mnt
    c="$(from_rootfs "$(rootfs velero ca-certificates)")"
    mnt="$("${bh[@]}" mount "$c")"
    mkdir -p "$mnt/plugins"
    install -m 0755 "$FIRST_ORDINAL_E2E_VELERO_BIN/plugins/velero-plugin-for-aws" "$mnt/plugins/velero-plugin-for-aws"
    "${bh[@]}" umount "$c" >/dev/null
    "${bh[@]}" config --entrypoint '["/bin/cp", "-a", "/plugins/.", "/target/"]' "$c"
    "${bh[@]}" commit --quiet --rm "$c" "localhost/first-ordinal-e2e/velero-plugin-for-aws:$plugin_tag" >/dev/null
    export_image "localhost/first-ordinal-e2e/velero-plugin-for-aws:$plugin_tag" "$plugin_out"
  fi
  echo "FIRST_ORDINAL_E2E_VELERO_IMAGE=localhost/first-ordinal-e2e/velero:$tag"
  echo "FIRST_ORDINAL_E2E_VELERO_ARCHIVE=$out"
  echo "FIRST_ORDINAL_E2E_VELERO_PLUGIN_IMAGE=localhost/first-ordinal-e2e/velero-plugin-for-aws:$plugin_tag"
  echo "FIRST_ORDINAL_E2E_VELERO_PLUGIN_ARCHIVE=$plugin_out"
}

need buildah
mkdir -p "$images"
# One build at a time, as in build-binaries.sh: buildah's storage and the archives are shared.
exec 8>"$CACHE/.images.lock"
flock 8

case "${1:-}" in
  base)
    pause_image
    redis_image
    kubectl_image
    java_base_image
    ;;
  webhook)
    [ $# -eq 3 ] || { echo "usage: $0 webhook REPO TAG" >&2; exit 2; }
    repo="$(cd "$2" && pwd)"; tag="$3"
    [ -f "$repo/target/quarkus-app/quarkus-run.jar" ] || { log "no $repo/target/quarkus-app: run ./mvnw package first"; exit 1; }
    eval "$(java_base_image)"
    image="localhost/first-ordinal:$tag"
    started=$(date +%s)
    # Every instruction of the shipped Dockerfile runs, the AOT-cache training RUN included (chroot isolation:
    # no container engine here).
    "${bh[@]}" bud --quiet --pull-never --isolation chroot --layers=false \
      --build-arg "BASE_IMAGE=$FIRST_ORDINAL_E2E_JAVA_BASE_IMAGE" -f "$repo/Dockerfile.jvm" -t "$image" "$repo" >&2
    archive="$repo/target/e2e-images/first-ordinal-$tag.tar"
    mkdir -p "$(dirname "$archive")"
    export_image "$image" "$archive"
    "${bh[@]}" rmi --quiet "$image" >/dev/null 2>&1 || true
    log "built $image from Dockerfile.jvm in $(( $(date +%s) - started )) s"
    echo "FIRST_ORDINAL_E2E_WEBHOOK_IMAGE=$image"
    echo "FIRST_ORDINAL_E2E_WEBHOOK_ARCHIVE=$archive"
    ;;
  velero)
    velero_image
    ;;
  import)
    [ $# -ge 3 ] || { echo "usage: $0 import SOCKET ARCHIVE..." >&2; exit 2; }
    socket="$2"; shift 2
    for archive in "$@"; do
      name="$(tar -xOf "$archive" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"])')"
      # --base-name names the image after the manifest the archive's index annotates, so the image's target is
      # that manifest. Not --index-name: that image targets the index, which containerd's CRI plugin rewrites at
      # once to the platform's manifest; the index is then referenced by nothing and the garbage collector may
      # remove it while ctr still unpacks from it ("content digest <index.json's digest>: not found", seen under
      # load, and again on every retry into the same containerd).
      out="$(ctr --address "$socket" --namespace k8s.io images import --base-name "${name%:*}" "$archive" 2>&1 >/dev/null)" \
        || { echo "images: import of $name from $archive failed: $out" >&2; exit 1; }
      ctr --address "$socket" --namespace k8s.io images ls -q "name==$name" | grep -qxF "$name" \
        || { echo "images: $archive was imported but no image is named $name" >&2; exit 1; }
      log "imported $name"
    done
    ;;
  *)
    echo "usage: $0 base | webhook REPO TAG | velero | import SOCKET ARCHIVE..." >&2
    exit 2
    ;;
esac
