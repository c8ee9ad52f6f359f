#!/usr/bin/env bash
# Benchmarks first-ordinal against the physical limit of this machine and writes bench/RESULTS.md.
#
#   bench/run.sh                  # everything (about 12 minutes on 2 cores)
#   BENCH_DURATION=20 bench/run.sh
#
# Loopback only; every load run is bounded in time (wrk -d). Installs nginx-light and wrk with
# apt-get when they are missing (needs root). See the README section "Benchmarks".
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
COMMAND="bench/run.sh${*:+ $*}"
[ -n "${BENCH_DURATION:-}" ] && COMMAND="BENCH_DURATION=$BENCH_DURATION $COMMAND"

# ---- settings ------------------------------------------------------------------------------------
# The JVM flags the container image ships (Dockerfile.jvm's JAVA_OPTS_APPEND must be the same).
# The flags Dockerfile.jvm ships (its JAVA_OPTS_APPEND line), unless overridden.
SHIPPED_JVM_FLAGS=${SHIPPED_JVM_FLAGS:-$(sed -n 's/^ENV JAVA_OPTS_APPEND="\(.*\)"$/\1/p' "$(dirname "$0")/../Dockerfile.jvm")}
# ... and the environment it ships for the JVM (glibc's malloc arenas), unless overridden.
SHIPPED_JAVA_ENV=${SHIPPED_JAVA_ENV-$(sed -n 's/^ENV \(MALLOC_ARENA_MAX="[0-9]*"\)$/\1/p' "$(dirname "$0")/../Dockerfile.jvm" | tr -d '"')}
DURATION=${BENCH_DURATION:-15}     # seconds per measured wrk run
WARMUP=${BENCH_WARMUP:-5}          # seconds of warm-up before each measured run
CONNECTIONS=32
PACE_MS=${BENCH_PACE_MS:-16}       # paced runs: pause per connection between requests (32 / 16 ms ~ 2,000 req/s)
THREADS=2
STARTS=${BENCH_STARTS:-5}          # start-ups measured per configuration (median reported)
VARIANTS=${BENCH_VARIANTS:-1}      # 0 skips the JVM-flag comparison
RESULTS=${BENCH_RESULTS:-$ROOT/bench/RESULTS.md}
JAR=$ROOT/target/quarkus-app/quarkus-run.jar

WORK=$(mktemp -d "${TMPDIR:-/tmp}/first-ordinal-bench.XXXXXX")
STARTED_PIDS=()
NGINX_CONF=""

log() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    if [ -n "$NGINX_CONF" ] && [ -f "$WORK/nginx/nginx.pid" ]; then
        nginx -q -c "$NGINX_CONF" -p "$WORK/nginx" -s quit 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    [ -n "${BENCH_KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

now_ns() { date +%s%N; }

# ---- prerequisites -------------------------------------------------------------------------------
need_packages=()
command -v nginx >/dev/null || need_packages+=(nginx-light)
command -v wrk >/dev/null || need_packages+=(wrk)
for tool in curl jq python3; do command -v "$tool" >/dev/null || need_packages+=("$tool"); done
if [ ${#need_packages[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${need_packages[*]}: install them (apt-get install ${need_packages[*]}) or run as root"
    log "installing ${need_packages[*]}"
    # Debian starts nginx after installing it; this policy stops that (we run our own, on loopback).
    printf '#!/bin/sh\nexit 101\n' > "$WORK/policy-rc.d"; chmod +x "$WORK/policy-rc.d"
    if [ ! -e /usr/sbin/policy-rc.d ]; then cp "$WORK/policy-rc.d" /usr/sbin/policy-rc.d; REMOVE_POLICY=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_packages[@]}" >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_packages[@]}" >/dev/null; }
    [ -n "${REMOVE_POLICY:-}" ] && rm -f /usr/sbin/policy-rc.d
fi
# JAVA: the JDK under test (25+, what the image ships); BASELINE_JAVA: JDK 17, the same-run baseline (bench/jdk.sh).
# shellcheck source=bench/jdk.sh
source "$ROOT/bench/jdk.sh"
[ -n "$BASELINE_JAVA" ] || log "no JDK 17 found: the JDK 17 baseline rows are skipped (BENCH_BASELINE_JAVA names one)"
# The interpreter itself, not a wrapper (pyenv shims fork): its pid is the one to stop.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

if [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
    log "building the jar (./mvnw -q package -DskipTests)"
    ./mvnw -q -B package -DskipTests >&2
fi

# The StatefulSet informer cache (first-ordinal.statefulset-cache.*), when this build has it, is off except in its own scenario.
BASE_SETTINGS=()
CACHE_FEATURE=""
if unzip -p target/quarkus-app/app/*.jar application.properties 2>/dev/null | grep -q '^first-ordinal.statefulset-cache'; then
    CACHE_FEATURE=1
    BASE_SETTINGS+=(-Dfirst-ordinal.statefulset-cache.enabled=false)
fi
# The repairer (first-ordinal.repair.*), when this build has it: off, no cluster here (it would compete for a Lease).
if unzip -p target/quarkus-app/app/*.jar application.properties 2>/dev/null | grep -q '^first-ordinal.repair'; then
    BASE_SETTINGS+=(-Dfirst-ordinal.repair.enabled=false)
fi

# ---- wait for a quiet machine ---------------------------------------------------------------------
QUIET_WAIT=${BENCH_QUIET_WAIT:-300}
LOAD_AT_START=$(cut -d' ' -f1 /proc/loadavg)
for _ in $(seq "$QUIET_WAIT"); do
    awk -v n="$(nproc)" '{exit !($1 < n / 2)}' /proc/loadavg && break
    [ "$_" = 1 ] && log "waiting up to ${QUIET_WAIT} s for the load average ($(cut -d' ' -f1 /proc/loadavg)) to fall below $(nproc)/2"
    sleep 1
done
LOAD_AT_START="$LOAD_AT_START, then $(cut -d' ' -f1 /proc/loadavg) when measuring began"

# ---- requests ------------------------------------------------------------------------------------
# Compact JSON, as the API server sends it.
mkdir -p "$WORK/req" "$WORK/resp"
jq -c . src/test/resources/admission/first-ordinal-redis.review.json > "$WORK/req/first.json"
jq -c . src/test/resources/admission/ordinal-1-left-alone.review.json > "$WORK/req/other.json"
# A large first-ordinal pod: 400 env vars on the redis container and 100 on a sidecar.
jq -c '.request.uid = "0b3f6a2e-0000-4000-8000-00000000beef"
       | .request.object.spec.containers[0].env = [range(400) | {name: "REDIS_SETTING_\(.)", value: "value-of-setting-number-\(.)-for-this-shard"}]
       | .request.object.spec.containers += [{name: "exporter", image: "oliver006/redis_exporter:v1.62.0",
            env: [range(100) | {name: "EXPORTER_OPT_\(.)", valueFrom: {configMapKeyRef: {name: "exporter-config", key: "opt-\(.)"}}}]}]' \
    src/test/resources/admission/first-ordinal-redis.review.json > "$WORK/req/large.json"
CASES=(first other large)
declare -A CASE_TITLE=([first]="first-ordinal Redis pod" [other]="non-first ordinal" [large]="large pod (500 env vars)")

cat > "$WORK/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Bench-Case"] = os.getenv("BENCH_CASE")
-- Paced runs: each connection waits this long after every answer (wrk leaves the pause out of latency).
local pace = tonumber(os.getenv("BENCH_PACE_MS") or "0")
if pace > 0 then
    function delay() return pace end
end
LUA

# ---- the webhook ---------------------------------------------------------------------------------
TLS_DIR=$WORK/tls
SSL_PORT=$(free_port)
MGMT_PORT=$(free_port)
WEBHOOK_PID=""

# start_webhook <jvm flags...> -- <quarkus/app -D settings...>; sets WEBHOOK_PID, READY_MS
start_webhook() {
    local t0 t1
    t0=$(now_ns)
    # After the first start, the certificate it wrote is served as mounted files, as in a cluster (files mode).
    local cert=$WORK/no-such-cert key=$WORK/no-such-key
    if [ -s "$TLS_DIR/tls.crt" ] && [ -s "$TLS_DIR/tls.key" ]; then cert=$TLS_DIR/tls.crt; key=$TLS_DIR/tls.key; fi
    env ${JAVA_ENV-$SHIPPED_JAVA_ENV} "${RUN_JAVA:-$JAVA}" "${BASE_SETTINGS[@]}" "$@" \
        -Dfirst-ordinal.tls.self-signed-dir="$TLS_DIR" \
        -Dfirst-ordinal.tls.cert-file="$cert" -Dfirst-ordinal.tls.key-file="$key" \
        -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.ssl-port="$SSL_PORT" \
        -Dquarkus.management.host=127.0.0.1 -Dfirst-ordinal.admission.management-port="$MGMT_PORT" \
        -jar "$JAR" >>"$WORK/webhook.log" 2>&1 &
    WEBHOOK_PID=$!
    STARTED_PIDS+=("$WEBHOOK_PID")
    local deadline=$((t0 + 60000000000))
    while true; do
        if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$MGMT_PORT/q/health/ready"; then
            break
        fi
        kill -0 "$WEBHOOK_PID" 2>/dev/null || { tail -20 "$WORK/webhook.log" >&2; die "the webhook exited during start-up"; }
        [ "$(now_ns)" -lt "$deadline" ] || die "the webhook was not ready within 60 s"
        sleep 0.01
    done
    t1=$(now_ns)
    READY_MS=$(( (t1 - t0) / 1000000 ))
    # The management port can report ready before the HTTPS port accepts connections: wait for both.
    until (exec 3<>"/dev/tcp/127.0.0.1/$SSL_PORT") 2>/dev/null; do
        [ "$(now_ns)" -lt "$deadline" ] || die "the HTTPS port did not accept connections within 60 s"
        sleep 0.01
    done
    SERVING_MS=$(( ($(now_ns) - t0) / 1000000 ))
}

stop_webhook() {
    [ -n "$WEBHOOK_PID" ] || return 0
    kill "$WEBHOOK_PID" 2>/dev/null || true
    wait "$WEBHOOK_PID" 2>/dev/null || true
    WEBHOOK_PID=""
}

# post <case> <base url> -> writes the body to $WORK/resp/<case>.<tag>.json, prints time_total in ms
post() {
    local case=$1 url=$2 tag=$3
    curl -sS --max-time 30 --cacert "$TLS_DIR/ca.crt" -o "$WORK/resp/$case.$tag.json" -w '%{http_code} %{time_total} %{time_appconnect}\n' 2>"$WORK/curl.err" \
        -H 'Content-Type: application/json' -H "X-Bench-Case: $case" --data-binary @"$WORK/req/$case.json" "$url/mutate"
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# jiffies <pid...>: CPU time (user + system, clock ticks) used so far by these processes
jiffies() {
    local pid total=0 t
    for pid in "$@"; do
        t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
        total=$((total + t))
    done
    echo "$total"
}
busy_and_total() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
CLK_TCK=$(getconf CLK_TCK)

# load <label> <case> <url> <server pids (first one's RSS is sampled)> -> sets RPS P50 P99 MAXRSS_MIB CPU_US OTHERS_PCT
load() {
    local label=$1 case=$2 url=$3 out=$WORK/wrk-$1-$2.txt
    shift 3
    local pids=("$@")
    BENCH_BODY=$WORK/req/$case.json BENCH_CASE=$case \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$WORK/post.lua" "$url/mutate" >/dev/null
    local max=0 rss cpu0 cpu1 busy0 total0 busy1 total1 wrk_cpu=0 t
    cpu0=$(jiffies "${pids[@]}")
    read -r busy0 total0 < <(busy_and_total)
    BENCH_BODY=$WORK/req/$case.json BENCH_CASE=$case \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/post.lua" "$url/mutate" >"$out" &
    local wrk_pid=$!
    while kill -0 "$wrk_pid" 2>/dev/null; do
        rss=$(rss_kib "${pids[0]}"); [ "$rss" -gt "$max" ] && max=$rss
        t=$(jiffies "$wrk_pid"); [ "$t" -gt "$wrk_cpu" ] && wrk_cpu=$t
        sleep 0.25
    done
    wait "$wrk_pid"
    cpu1=$(jiffies "${pids[@]}")
    read -r busy1 total1 < <(busy_and_total)
    RPS=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
    local requests
    requests=$(awk '/requests in/ {print $1}' "$out")
    P50=$(awk '$1 == "50%" {print $2}' "$out" | to_ms)
    P99=$(awk '$1 == "99%" {print $2}' "$out" | to_ms)
    NON2XX=$(awk '/Non-2xx/ {print $NF}' "$out"); NON2XX=${NON2XX:-0}
    ERRORS=$(awk '/Socket errors/ {print $0}' "$out")
    MAXRSS_MIB=$(awk -v k="$max" 'BEGIN {printf "%.0f", k / 1024}')
    # Server CPU per request: robust against other load on the machine, unlike req/s.
    CPU_US=$(awk -v c=$((cpu1 - cpu0)) -v n="$requests" -v hz="$CLK_TCK" 'BEGIN {printf "%.0f", (n > 0 ? c / hz * 1e6 / n : 0)}')
    # Share of all CPU time used by processes other than the server and wrk during the run.
    OTHERS_PCT=$(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) -v s=$((cpu1 - cpu0)) -v w="$wrk_cpu" \
        'BEGIN {o = (b - s - w) / t * 100; if (o < 0) o = 0; printf "%.0f", o}')
    log "$label $case: $RPS req/s, p50 $P50 ms, p99 $P99 ms, max RSS $MAXRSS_MIB MiB, $CPU_US us CPU/request, others ${OTHERS_PCT}% CPU, non-2xx $NON2XX ${ERRORS:+($ERRORS)}"
    [ "$NON2XX" = 0 ] || die "$label answered $NON2XX non-2xx responses for $case (see $out)"
}

to_ms() {
    awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }; printf "%.2f", v }'
}

median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

WEBHOOK_URL=https://127.0.0.1:$SSL_PORT
# The image's AOT cache: Dockerfile.jvm trains it at build time with its RUN java ... step; the same command
# (paths moved here) trains this run's copy, and the shipped flags point at it.
# The image's run-java.sh puts GC_CONTAINER_OPTIONS and its own defaults before JAVA_OPTS_APPEND
# (DockerfileTest holds the same list): the heap free ratios shrink the old generation after a GC.
RUN_JAVA_FLAGS=${RUN_JAVA_FLAGS-"$(sed -n 's/^ENV GC_CONTAINER_OPTIONS="\(.*\)"$/\1/p' Dockerfile.jvm) -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:GCTimeRatio=4 -XX:AdaptiveSizePolicyWeight=90 -XX:+ExitOnOutOfMemoryError"}
read -r -a SHIPPED_AS_IMAGE <<<"$RUN_JAVA_FLAGS $SHIPPED_JVM_FLAGS"
SHIPPED=(); NO_CDS=(); CDS_ARCHIVE=""
for flag in "${SHIPPED_AS_IMAGE[@]}"; do
    case $flag in
        -XX:AOTCache=*) CDS_ARCHIVE=$WORK/app.aot; SHIPPED+=("-XX:AOTCache=$CDS_ARCHIVE") ;;
        -XX:SharedArchiveFile=*) CDS_ARCHIVE=$WORK/app-cds.jsa; SHIPPED+=("-XX:SharedArchiveFile=$CDS_ARCHIVE") ;;
        *) SHIPPED+=("$flag"); NO_CDS+=("$flag") ;;
    esac
done
# train <java> <cache file> <extra flags...>: runs Dockerfile.jvm's training step with that JVM, writing that file
# (for JDK 17: -XX:ArchiveClassesAtExit in place of -XX:AOTCacheOutput, the image's step before JDK 25).
train() {
    local java=$1 out=$2; shift 2
    local training
    training=$(awk '/^RUN java /{on = 1} on {print} on && /&&/ {exit}' Dockerfile.jvm | tr '\n' ' ' \
        | sed -e 's/\\ / /g' -e 's/^RUN java //' -e 's/ *&&.*//' \
              -e "s#-XX:AOTCacheOutput=/deployments/app.aot#$([ "${out##*.}" = jsa ] && echo -XX:ArchiveClassesAtExit || echo -XX:AOTCacheOutput)=$out#g" \
              -e "s#/deployments/quarkus-run.jar#$JAR#g" -e "s#/tmp/cds-training-tls#$WORK/cds-training-tls#g")
    local command
    read -r -a command <<<"$training"
    log "training $out: $java $* ${command[*]}"
    "$java" "$@" "${command[@]}" >"$WORK/training-$(basename "$out").log" 2>&1 \
        || { tail -5 "$WORK/training-$(basename "$out").log" >&2; die "the training run for $out failed"; }
    [ -s "$out" ] || die "the training run wrote no $out"
    rm -rf "$WORK/cds-training-tls"
}
if [ -n "$CDS_ARCHIVE" ]; then
    grep -q '^RUN java ' Dockerfile.jvm || die "no RUN java ... training step found in Dockerfile.jvm"
    train "$JAVA" "$CDS_ARCHIVE"
    TRAINING="$(awk '/^RUN java /{on = 1} on {print} on && /&&/ {exit}' Dockerfile.jvm | tr '\n' ' ' | sed -e 's/\\ / /g' -e 's/^RUN //' -e 's/ *&&.*//')"
fi
# Compact object headers (JDK 24+, product in 25): their own cache, since a cache serves only the header layout it was
# written with.
COH_ARCHIVE=$WORK/app-coh.aot
train "$JAVA" "$COH_ARCHIVE" -XX:+UseCompactObjectHeaders
COH=(-XX:+UseCompactObjectHeaders "${NO_CDS[@]}" "-XX:AOTCache=$COH_ARCHIVE")
# C1 and C2 (the JVM's default tiers): the shipped flags and cache without the C1-only flag. C2 needs longer than
# the default warm-up to compile the hot path on 2 busy cores.
C2_WARMUP=25
C2=()
for flag in "${SHIPPED[@]}"; do [ "$flag" = -XX:TieredStopAtLevel=1 ] || C2+=("$flag"); done
# The JDK 17 baseline: the flags as shipped before the move to 25, with the AppCDS archive the image trained then.
B17=()
if [ -n "$BASELINE_JAVA" ]; then
    B17_ARCHIVE=$WORK/app-cds-17.jsa
    train "$BASELINE_JAVA" "$B17_ARCHIVE"
    B17=("${NO_CDS[@]}" "-XX:SharedArchiveFile=$B17_ARCHIVE")
fi

# ---- 1. start-up: ready time and first-request latency -------------------------------------------
log "start-up with the shipped flags: $SHIPPED_JVM_FLAGS"
start_webhook "${SHIPPED[@]}"   # the first start also writes the self-signed certificate
for case in "${CASES[@]}"; do
    read -r code _ < <(post "$case" "$WEBHOOK_URL" webhook)
    [ "$code" = 200 ] || die "the webhook answered $code for $case: $(cat "$WORK/resp/$case.webhook.json")"
done
jq -e '.response.patch' "$WORK/resp/first.webhook.json" >/dev/null || die "no patch for the first-ordinal pod"
jq -e '.response.patch' "$WORK/resp/large.webhook.json" >/dev/null || die "no patch for the large pod"
jq -e '.response.patch == null' "$WORK/resp/other.webhook.json" >/dev/null || die "a patch for the non-first ordinal"
stop_webhook

# with_config <config> <command...>: runs the command (start_webhook, load, ...) with that configuration's JVM and flags
#   shipped   JDK 25, the image's flags and its AOT cache        coh      the same plus compact object headers
#   c2        the shipped flags and cache without -XX:TieredStopAtLevel=1 (C1 then C2, the JVM's default)
#   nocache   JDK 25, the image's flags without the cache        b17      JDK 17, the flags with the AppCDS archive (before)
#   b17plain  JDK 17, the flags without an archive
STARTUP_CONFIGS=(shipped coh nocache)
[ -n "$BASELINE_JAVA" ] && STARTUP_CONFIGS+=(b17 b17plain)
declare -A CONFIG_TITLE=([shipped]="JDK 25, shipped flags and the image's AOT cache (trained as Dockerfile.jvm does)"
    [coh]="JDK 25, the same plus -XX:+UseCompactObjectHeaders (its own cache)"
    [c2]="JDK 25, the shipped flags and cache without -XX:TieredStopAtLevel=1 (C2 as well)" [nocache]="JDK 25, shipped flags without the AOT cache"
    [b17]="JDK 17, the same flags with an AppCDS archive (the image before this change)" [b17plain]="JDK 17, no archive")
with_config() {
    local config=$1; shift
    local cmd=$1; shift
    case $config in
        shipped) "$cmd" "$@" "${SHIPPED[@]}" ;;
        coh) "$cmd" "$@" "${COH[@]}" ;;
        c2) "$cmd" "$@" "${C2[@]}" ;;
        nocache) "$cmd" "$@" "${NO_CDS[@]}" ;;
        b17) RUN_JAVA=$BASELINE_JAVA "$cmd" "$@" "${B17[@]}" ;;
        b17plain) RUN_JAVA=$BASELINE_JAVA "$cmd" "$@" "${NO_CDS[@]}" ;;
        *) die "unknown configuration $config" ;;
    esac
}
start_as() { start_webhook "$@"; }

# Start-ups, interleaved: each round starts every configuration once, so that other load on the machine falls on all.
declare -A S_READY S_SERVING S_FIRST S_TLS S_RSS READY_MED SERVING_MED FIRST_MED TLS_MED RSS_MED
for i in $(seq "$STARTS"); do
    for config in "${STARTUP_CONFIGS[@]}"; do
        with_config "$config" start_as
        rss_ready=$(( $(rss_kib "$WEBHOOK_PID") / 1024 ))
        read -r code t tls < <(post first "$WEBHOOK_URL" start)
        [ "$code" = 200 ] || { tail -5 "$WORK/webhook.log" >&2; die "first request ($config) answered $code: $(cat "$WORK/curl.err")"; }
        S_READY[$config]+="$READY_MS "; S_SERVING[$config]+="$SERVING_MS "; S_RSS[$config]+="$rss_ready "
        S_FIRST[$config]+="$(awk -v t="$t" 'BEGIN {printf "%.0f", t * 1000}') "
        S_TLS[$config]+="$(awk -v t="$tls" 'BEGIN {printf "%.0f", t * 1000}') "
        stop_webhook
    done
    log "start-up round $i/$STARTS done (load $(cut -d' ' -f1 /proc/loadavg))"
done
for config in "${STARTUP_CONFIGS[@]}"; do
    READY_MED[$config]=$(printf '%s\n' ${S_READY[$config]} | median)
    SERVING_MED[$config]=$(printf '%s\n' ${S_SERVING[$config]} | median)
    FIRST_MED[$config]=$(printf '%s\n' ${S_FIRST[$config]} | median)
    TLS_MED[$config]=$(printf '%s\n' ${S_TLS[$config]} | median)
    RSS_MED[$config]=$(printf '%s\n' ${S_RSS[$config]} | median)
    log "$config: ready in ${S_READY[$config]}ms (median ${READY_MED[$config]}), HTTPS accepting median ${SERVING_MED[$config]}, first request median ${FIRST_MED[$config]} (TLS ${TLS_MED[$config]}), RSS at ready ${RSS_MED[$config]} MiB"
done
READY_SHIPPED=${READY_MED[shipped]}; SERVING_SHIPPED=${SERVING_MED[shipped]}
CDS_MIB=$(du -m "$CDS_ARCHIVE" | cut -f1)
START_BASE=${BASELINE_JAVA:+b17}; START_BASE=${START_BASE:-nocache}

# ---- 2. nginx: the physical limit ----------------------------------------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs"
NGINX_CONF=$WORK/nginx/nginx.conf
# The canned answers are files: an answer (the hook script inside a JSON patch, base64) is longer than the
# 4 KiB an nginx configuration string may hold. The static module refuses POST with 405; error_page turns
# that into an internal GET of the same file, the usual way to answer POST with a static file.
mkdir -p "$WORK/nginx/canned"
for case in "${CASES[@]}"; do cp "$WORK/resp/$case.webhook.json" "$WORK/nginx/canned/$case.json"; done
# nginx's workers run as an unprivileged user when it is started as root: let them reach the files (only them).
chmod 711 "$WORK" "$WORK/nginx"; chmod 755 "$WORK/nginx/canned"; chmod 644 "$WORK/nginx/canned"/*.json
cat > "$NGINX_CONF" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
daemon on;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    client_body_buffer_size 1m;
    types { }
    default_type application/json;
    etag off;
    map \$http_x_bench_case \$canned {
        default first.json;
        other other.json;
        large large.json;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT ssl;
        ssl_certificate $TLS_DIR/tls.crt;
        ssl_certificate_key $TLS_DIR/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location = /mutate {
            rewrite ^ /canned/\$canned last;
        }
        location /canned/ {
            internal;
            root $WORK/nginx;
            error_page 405 =200 \$uri;
        }
    }
}
EOF
[ -f "$TLS_DIR/tls.crt" ] || die "no certificate in $TLS_DIR (files: $(ls "$TLS_DIR"))"
nginx -q -t -c "$NGINX_CONF" -p "$WORK/nginx" 2>"$WORK/nginx/test.log" || { cat "$WORK/nginx/test.log" >&2; die "nginx config invalid"; }
nginx -c "$NGINX_CONF" -p "$WORK/nginx"
NGINX_URL=https://127.0.0.1:$NGINX_PORT
for case in "${CASES[@]}"; do
    read -r code _ < <(post "$case" "$NGINX_URL" nginx)
    [ "$code" = 200 ] && cmp -s "$WORK/resp/$case.nginx.json" "$WORK/resp/$case.webhook.json" \
        || die "nginx does not answer $case with the webhook's response"
done
declare -A N_RPS N_P50 N_P99 N_CPU N_OTHERS
NGINX_PIDS=($(ps -o pid= --ppid "$(cat "$WORK/nginx/nginx.pid")") "$(cat "$WORK/nginx/nginx.pid")")
for case in "${CASES[@]}"; do
    load nginx "$case" "$NGINX_URL" "${NGINX_PIDS[@]}"
    N_RPS[$case]=$RPS; N_P50[$case]=$P50; N_P99[$case]=$P99; N_CPU[$case]=$CPU_US; N_OTHERS[$case]=$OTHERS_PCT
done
BENCH_PACE_MS=$PACE_MS load nginx-paced first "$NGINX_URL" "${NGINX_PIDS[@]}"
NP_RPS=$RPS; NP_P50=$P50; NP_P99=$P99
nginx -q -c "$NGINX_CONF" -p "$WORK/nginx" -s quit
NGINX_CONF=""

# ---- 3. the webhook under load ---------------------------------------------------------------------
# The shipped configuration (C1 only), then the same loads with C2 as well and for the JDK 17 baseline (same run).
# Compact object headers are measured at start-up only: under load they changed nothing in earlier runs.
declare -A W_RPS W_P50 W_P99 W_RSS W_CPU W_OTHERS L_RPS L_P99 L_CPU L_RSS L_IDLE L_PP99 L_PRPS L_PRSS
LOAD_CONFIGS=(shipped c2)
warmup_for() { if [ "$1" = c2 ]; then echo "$C2_WARMUP"; else echo "$WARMUP"; fi; }
[ -n "$BASELINE_JAVA" ] && LOAD_CONFIGS+=(b17)
for config in "${LOAD_CONFIGS[@]}"; do
    with_config "$config" start_as
    sleep 2
    L_IDLE[$config]=$(( $(rss_kib "$WEBHOOK_PID") / 1024 ))
    for case in "${CASES[@]}"; do
        WARMUP=$(warmup_for "$config") load "webhook-$config" "$case" "$WEBHOOK_URL" "$WEBHOOK_PID"
        L_RPS[$config,$case]=$RPS; L_P99[$config,$case]=$P99; L_CPU[$config,$case]=$CPU_US; L_RSS[$config,$case]=$MAXRSS_MIB
        if [ "$config" = shipped ]; then
            W_RPS[$case]=$RPS; W_P50[$case]=$P50; W_P99[$case]=$P99; W_RSS[$case]=$MAXRSS_MIB; W_CPU[$case]=$CPU_US; W_OTHERS[$case]=$OTHERS_PCT
        fi
    done
    WARMUP=$(warmup_for "$config") BENCH_PACE_MS=$PACE_MS load "webhook-$config-paced" first "$WEBHOOK_URL" "$WEBHOOK_PID"
    L_PP99[$config]=$P99; L_PRPS[$config]=$RPS; L_PRSS[$config]=$MAXRSS_MIB
    if [ "$config" = shipped ]; then WP_RPS=$RPS; WP_P50=$P50; WP_P99=$P99; WP_RSS=$MAXRSS_MIB; fi
    stop_webhook
done
IDLE_RSS_MIB=${L_IDLE[shipped]}

# ---- 3b. the hot path alone (parse, decide, patch, encode; no TLS, no HTTP) ---------------------
HOT_PATH=$WORK/hot-path.txt
APP_CP=$(ls target/quarkus-app/app/*.jar):$(ls target/quarkus-app/lib/main/*.jar | tr '\n' ':')
"$JAVA" "${NO_CDS[@]}" -cp "$APP_CP" bench/HandlerBench.java "$WORK/req/first.json" "$WORK/req/other.json" "$WORK/req/large.json" \
    > "$HOT_PATH" 2>"$WORK/hot-path.err" || echo "(failed: $(tail -1 "$WORK/hot-path.err"))" > "$HOT_PATH"
log "hot path alone: $(tr '\n' ';' < "$HOT_PATH")"

# ---- 3c. where the idle memory goes (Native Memory Tracking, shipped flags) ------------------------
# NMT counts what the JVM itself commits (heap, class metadata in the AOT cache and in metaspace, code, threads);
# RssFile is mapped jars and libraries. Native memory BoringSSL and Netty take with malloc is outside NMT.
MEMORY=$WORK/memory.txt
start_webhook "${SHIPPED[@]}" -XX:NativeMemoryTracking=summary
sleep 2
awk '/^(RssAnon|RssFile):/ {printf "%s %.0f MiB\n", $1, $2 / 1024}' "/proc/$WEBHOOK_PID/status" > "$MEMORY"
"$(dirname "$JAVA")/jcmd" "$WEBHOOK_PID" VM.native_memory summary scale=KB 2>/dev/null \
    | sed -n -e 's/^Total: reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/JVM total (NMT)|\1/p' \
             -e 's/^-  *\([A-Za-z][A-Za-z ]*[a-z]\) *(reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/  \1|\2/p' \
    | awk -F'|' '$2 >= 1024 {printf "%s %.0f MiB\n", $1, $2 / 1024}' >> "$MEMORY" \
    || echo "(jcmd failed)" >> "$MEMORY"
stop_webhook
log "idle memory: $(tr '\n' ';' < "$MEMORY")"

# ---- 4. profile: where the webhook's CPU goes (JFR) -----------------------------------------------
log "profiling the first-ordinal case with JFR"
start_webhook "${SHIPPED[@]}" "-XX:StartFlightRecording=filename=$WORK/profile.jfr,settings=profile,dumponexit=true"
load jfr first "$WEBHOOK_URL" "$WEBHOOK_PID"
stop_webhook
TOP_FRAMES=$WORK/top-frames.txt
if [ -s "$WORK/profile.jfr" ]; then
    # Top frame of each execution sample, then the first frame of ours/Jackson/fabric8 in each stack.
    jfr print --events jdk.ExecutionSample "$WORK/profile.jfr" > "$WORK/samples.txt"
    awk '/stackTrace = \[/ {getline; sub(/^[ \t]+/, ""); sub(/line:.*/, ""); print}' "$WORK/samples.txt" \
        | sort | uniq -c | sort -rn | awk 'NR <= 15' > "$TOP_FRAMES"
    awk '/stackTrace = \[/ {inside = 1; found = 0; next}
         inside && /^[ \t]*\]/ {inside = 0; if (!found) print "(no application frame)"; next}
         inside && !found && /dev\.firstordinal|com\.fasterxml|io\.fabric8/ {sub(/^[ \t]+/, ""); sub(/line:.*/, ""); print; found = 1}' \
        "$WORK/samples.txt" | sort | uniq -c | sort -rn | awk 'NR <= 10' > "$WORK/app-frames.txt"
    SAMPLES=$(grep -c 'jdk.ExecutionSample' "$WORK/samples.txt" || true)
else
    echo "(no recording)" > "$TOP_FRAMES"; echo "(no recording)" > "$WORK/app-frames.txt"; SAMPLES=0
fi

# ---- 4b. profile with perf, when installed: native code too (BoringSSL, the kernel, the JVM) ---------
# JFR samples only threads running Java code; with TLS in BoringSSL most of a request's time is not.
PERF_DSO="(not run: perf is not installed; apt-get install linux-perf)"; PERF_SYMS=""
if command -v perf >/dev/null 2>&1; then
    log "profiling the first-ordinal case with perf"
    start_webhook "${SHIPPED[@]}" -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit
    PERF_PID=$WEBHOOK_PID
    (sleep $((WARMUP + 1)); perf record -q -F 499 -p "$PERF_PID" -o "$WORK/perf.data" -- sleep $((DURATION > 4 ? DURATION - 3 : 1)) \
        >"$WORK/perf-record.log" 2>&1) &
    PERF_RECORDER=$!
    load perf first "$WEBHOOK_URL" "$WEBHOOK_PID"
    wait "$PERF_RECORDER" || true
    stop_webhook   # the JVM writes /tmp/perf-<pid>.map (JIT-compiled method names) as it exits
    if [ -s "$WORK/perf.data" ]; then
        shorten() { sed -e 's/libnetty_tcnative_linux_[a-z0-9_]*\.so (deleted)/libnetty_tcnative (BoringSSL)/' -e 's/\[JIT\] tid [0-9]*/JIT-compiled Java/' -e 's/ *$//' -e 's/   */  /g'; }
        PERF_DSO=$(perf report -i "$WORK/perf.data" --sort dso --stdio 2>/dev/null | grep -v '^#' | grep . | awk 'NR <= 8' | shorten || true)
        PERF_SYMS=$(perf report -i "$WORK/perf.data" --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep . | awk 'NR <= 25' | shorten | cut -c1-160 || true)
    else
        PERF_DSO="(perf record failed: $(tail -1 "$WORK/perf-record.log"))"
    fi
    rm -f "/tmp/perf-$PERF_PID.map"
fi

# ---- 5. JVM flag and event-loop variants (first-ordinal case) --------------------------------------
VARIANT_ROWS=""
if [ "$VARIANTS" = 1 ]; then
    variant() {
        local label=$1; shift
        local flags=("$@")
        start_webhook "${flags[@]}"
        local ready=$READY_MS
        load "variant-$label" first "$WEBHOOK_URL" "$WEBHOOK_PID"
        stop_webhook
        local java_env=${JAVA_ENV-$SHIPPED_JAVA_ENV}
        VARIANT_ROWS+="| $label | \`${flags[*]}\`${java_env:+ (env ${java_env})} | $ready | $RPS | $CPU_US | $P50 | $P99 | $MAXRSS_MIB | $OTHERS_PCT |"$'\n'
    }
    variant "shipped" "${SHIPPED[@]}"
    # The baseline of the TLS engine choice: the JDK's own TLS (the default before BoringSSL).
    variant "shipped, JDK TLS instead of BoringSSL" "${SHIPPED[@]}" -Dfirst-ordinal.tls.engine=jdk
    WARMUP=$C2_WARMUP variant "shipped, JDK TLS and C2, $C2_WARMUP s warm-up" "${C2[@]}" -Dfirst-ordinal.tls.engine=jdk
    variant "shipped without -Xmn8m" $(printf '%s\n' "${SHIPPED[@]}" | grep -v '^-Xmn')
    JAVA_ENV="" variant "shipped without MALLOC_ARENA_MAX" "${SHIPPED[@]}"
    variant "G1 instead of Serial" $(printf '%s\n' "${SHIPPED[@]}" | sed 's/-XX:+UseSerialGC/-XX:+UseG1GC/')
    variant "shipped, 2 event loops" "${SHIPPED[@]}" -Dquarkus.vertx.event-loops-pool-size=2
    variant "shipped, marking log off" "${SHIPPED[@]}" '-Dquarkus.log.category."dev.firstordinal".level=WARN'
fi

# ---- 6. label-self (bench/label-self.sh, from the labeller work) ----------------------------------
LABEL_SELF="not available yet (bench/label-self.sh, from the label-self work, is missing)"
if [ -f bench/label-self.sh ]; then
    log "running bench/label-self.sh ${BENCH_LABEL_SELF_ROUNDS:-3} (label-self: JVM start to pod patched, against a local mock API)"
    if timeout 900 bash bench/label-self.sh "${BENCH_LABEL_SELF_ROUNDS:-3}" > "$WORK/label-self.txt" 2>"$WORK/label-self.err"; then
        LABEL_SELF=$(printf '%s\n' '```' "$(cat "$WORK/label-self.txt")" '```')
        LS_IMAGE=$(awk '$1 == "image+c1" {print $2}' "$WORK/label-self.txt")
        LS_BASE=$(awk '$1 == "17:cds+c1" {print $2}' "$WORK/label-self.txt")
    else
        LABEL_SELF="bench/label-self.sh failed: $(tail -1 "$WORK/label-self.err")"
    fi
fi

# ---- 7. StatefulSet informer cache: 0 / 1,000 / 10,000 cached sets --------------------------------
declare -A C_P50 C_P99 C_RPS C_RSS C_CPU C_IDLE C_NOTE CACHE_READY
CACHE_NOTE=""
if [ -n "$CACHE_FEATURE" ]; then
    for n in 0 1000 10000; do
        API_PORT=$(free_port)
        "$PYTHON" bench/mock-apiserver.py --port "$API_PORT" --statefulsets "$n" >"$WORK/mock-api-$n.log" 2>&1 &
        MOCK_PID=$!; STARTED_PIDS+=("$MOCK_PID")
        for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$API_PORT/version" && break; sleep 0.05; done
        start_webhook "${SHIPPED[@]}" -Dfirst-ordinal.statefulset-cache.enabled=true \
            -Dquarkus.kubernetes-client.api-server-url="http://127.0.0.1:$API_PORT" \
            -Dquarkus.kubernetes-client.namespace=redis -Dquarkus.kubernetes-client.trust-certs=true
        CACHE_READY[$n]=$READY_MS
        sleep 2
        C_IDLE[$n]=$(( $(rss_kib "$WEBHOOK_PID") / 1024 ))
        post first "$WEBHOOK_URL" "cache-$n" >/dev/null
        if jq -e '.response.warnings' "$WORK/resp/first.cache-$n.json" >/dev/null; then
            C_NOTE[$n]="answer has a warning: $(jq -r '.response.warnings[0]' "$WORK/resp/first.cache-$n.json")"
        fi
        LISTED=$(grep -c '^GET .*statefulsets' "$WORK/mock-api-$n.log" || true)
        load "cache-$n" first "$WEBHOOK_URL" "$WEBHOOK_PID"
        C_P50[$n]=$P50; C_P99[$n]=$P99; C_RPS[$n]=$RPS; C_RSS[$n]=$MAXRSS_MIB; C_CPU[$n]=$CPU_US
        C_NOTE[$n]="${C_NOTE[$n]:-} $LISTED StatefulSet requests to the mock API before load, $(( $(grep -c '^GET .*statefulsets' "$WORK/mock-api-$n.log" || true) - LISTED )) during"
        stop_webhook
        kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true
    done
else
    CACHE_NOTE="not available yet: this build has no \`first-ordinal.statefulset-cache.*\` settings (the StatefulSet informer cache has not landed)."
fi

# ---- RESULTS.md ------------------------------------------------------------------------------------
# The section bench/attack.sh writes is kept as it is (run that script to refresh it).
ATTACK_SECTION=$(sed -n '/^<!-- attack.sh begin -->$/,/^<!-- attack.sh end -->$/p' "$RESULTS" 2>/dev/null || true)
# ... and so is the one bench/apiserver.sh writes (from its heading to the next one).
APISERVER_SECTION=$(awk '/^## Through the API server/ {on = 1; print; next} on && /^(## |<!-- (attack|scale).sh begin)/ {on = 0} on' "$RESULTS" 2>/dev/null || true)
# ... and the one bench/scale.sh writes.
SCALE_SECTION=$(sed -n '/^<!-- scale.sh begin -->$/,/^<!-- scale.sh end -->$/p' "$RESULTS" 2>/dev/null || true)
met() { awk -v a="$1" -v b="$2" -v op="$3" 'BEGIN { if (a == "" || a == "n/a") {print "n/a"; exit}
    ok = (op == "<=") ? (a + 0 <= b + 0) : (a + 0 >= b + 0); print ok ? "yes" : "**no**" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
RATIO_FIRST=$(ratio "${W_RPS[first]}" "${N_RPS[first]}")
MAX_RSS=$(printf '%s\n' "${W_RSS[@]}" | sort -n | tail -1)
JAVA_VERSION=$("$JAVA" -version 2>&1 | sed -n 2p)${BASELINE_JAVA:+ (baseline rows: $("$BASELINE_JAVA" -version 2>&1 | sed -n 2p))}
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)

{
echo "# first-ordinal benchmark results"
echo
echo "Produced by \`$COMMAND\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Do not edit by hand: run the script again."
echo
echo "Machine: $(nproc) cores ($CPU), $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, $JAVA_VERSION,"
echo "$(nginx -v 2>&1 | sed 's/^nginx version: //'), $(wrk -v 2>&1 | awk 'NR <= 1' | awk '{print $1, $2}')."
echo "Load: wrk, $THREADS threads, $CONNECTIONS connections, HTTP/1.1 keep-alive over TLS on loopback, ${WARMUP} s warm-up then ${DURATION} s measured per row."
echo "wrk and the server share the same $(nproc) cores. JVM flags as the image's run-java.sh composes them: \`$RUN_JAVA_FLAGS $SHIPPED_JVM_FLAGS\`${SHIPPED_JAVA_ENV:+, environment \`$SHIPPED_JAVA_ENV\`}."
echo "TLS: $(grep -m1 -o 'TLS engine: [^(]*' "$WORK/webhook.log" | sed 's/TLS engine: //; s/ *$//') in the webhook (\`first-ordinal.tls.engine\`), OpenSSL $(openssl version | awk '{print $2}') in nginx and wrk."
echo "1-minute load average when the script started: $LOAD_AT_START; at the end: $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "## Against the targets (issue #17)"
echo
echo "Each figure beside its baseline from this same run. Baseline: JDK 17 with the flags and AppCDS archive the image"
echo "shipped before (\`b17\`); for CPU and latency, nginx answering the same bytes over the same TLS."
echo
echo "| figure | measured (shipped) | baseline, same run | target | met? |"
echo "| --- | --- | --- | --- | --- |"
HALF_READY=$(awk -v b="${READY_MED[$START_BASE]}" 'BEGIN {printf "%.0f", b / 2}')
READY_OK=$(awk -v a="$READY_SHIPPED" -v h="$HALF_READY" 'BEGIN {print (a <= 500 || a <= h) ? "yes" : "**no**"}')
echo "| JVM start to \`/q/health/ready\` 200 (median of $STARTS, interleaved) | $READY_SHIPPED ms | ${READY_MED[$START_BASE]} ms ($START_BASE): $(ratio "$READY_SHIPPED" "${READY_MED[$START_BASE]}")× | ≤ 500 ms, or ≤ half the baseline ($HALF_READY ms) | $READY_OK |"
echo "| label-self, JVM start to pod patched (median, image flags and cache) | ${LS_IMAGE:-n/a} ms | ${LS_BASE:-n/a} ms (JDK 17 + its own AppCDS archive, C1) | ≤ 400 ms | $(met "${LS_IMAGE:-n/a}" 400 '<=') |"
for case in "${CASES[@]}"; do
    R=$(ratio "${N_CPU[$case]}" "${W_CPU[$case]}")
    echo "| server CPU per review, ${CASE_TITLE[$case]}: nginx / webhook | ${N_CPU[$case]} / ${W_CPU[$case]} µs = **$R** | ${L_CPU[b17,$case]:-n/a} µs on JDK 17 = $( [ -n "${L_CPU[b17,$case]:-}" ] && ratio "${N_CPU[$case]}" "${L_CPU[b17,$case]}" || echo n/a) | ≥ 0.5 | $(met "$R" 0.5 '>=') |"
done
echo "| paced p99, first-ordinal pod (~$WP_RPS req/s) | $WP_P99 ms (nginx $NP_P99 ms: $(ratio "$WP_P99" "$NP_P99")×) | ${L_PP99[b17]:-n/a} ms on JDK 17 | ≤ 2× nginx | $(awk -v a="$WP_P99" -v n="$NP_P99" 'BEGIN {print (a <= 2 * n) ? "yes" : "**no**"}') |"
echo "| RSS under load (max over the three saturated loads and the paced one) | $(printf '%s\n' "${W_RSS[@]}" "$WP_RSS" | sort -n | tail -1) MiB | $(printf '%s\n' "${L_RSS[b17,first]:-0}" "${L_RSS[b17,other]:-0}" "${L_RSS[b17,large]:-0}" "${L_PRSS[b17]:-0}" | sort -n | tail -1) MiB on JDK 17 | ≤ 96 MiB | $(met "$(printf '%s\n' "${W_RSS[@]}" "$WP_RSS" | sort -n | tail -1)" 96 '<=') |"
echo "| idle RSS, 2 s after ready | ${L_IDLE[shipped]} MiB | ${L_IDLE[b17]:-n/a} MiB on JDK 17 | (reported) | |"
echo
echo "Throughput, first-ordinal pod, webhook / nginx: ${W_RPS[first]} / ${N_RPS[first]} req/s = $RATIO_FIRST (saturated, 32 connections)."
echo
echo "## JDK 25 with C1 only (shipped) and with C2, and JDK 17, under the same loads"
echo
echo "| configuration | idle RSS MiB | first-ordinal req/s, CPU µs, p99 ms | non-first req/s, CPU µs, p99 ms | large pod req/s, CPU µs, p99 ms | paced p99 ms | max RSS MiB |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for config in "${LOAD_CONFIGS[@]}"; do
    row="| ${CONFIG_TITLE[$config]} | ${L_IDLE[$config]}"
    mx=${L_PRSS[$config]}
    for case in "${CASES[@]}"; do
        row+=" | ${L_RPS[$config,$case]}, ${L_CPU[$config,$case]}, ${L_P99[$config,$case]}"
        [ "${L_RSS[$config,$case]}" -gt "$mx" ] && mx=${L_RSS[$config,$case]}
    done
    echo "$row | ${L_PP99[$config]} | $mx |"
done
echo "| nginx (the same answers over the same TLS) | | ${N_RPS[first]}, ${N_CPU[first]}, ${N_P99[first]} | ${N_RPS[other]}, ${N_CPU[other]}, ${N_P99[other]} | ${N_RPS[large]}, ${N_CPU[large]}, ${N_P99[large]} | $NP_P99 | |"
echo
echo "## Throughput and latency per request"
echo
echo "| request | body | webhook req/s | nginx req/s | ratio | webhook p50 / p99 ms | nginx p50 / p99 ms | CPU µs/request webhook / nginx | webhook max RSS MiB | others' CPU % webhook / nginx run |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for case in "${CASES[@]}"; do
    echo "| ${CASE_TITLE[$case]} | $(wc -c <"$WORK/req/$case.json") B | ${W_RPS[$case]} | ${N_RPS[$case]} | $(ratio "${W_RPS[$case]}" "${N_RPS[$case]}") | ${W_P50[$case]} / ${W_P99[$case]} | ${N_P50[$case]} / ${N_P99[$case]} | ${W_CPU[$case]} / ${N_CPU[$case]} | ${W_RSS[$case]} | ${W_OTHERS[$case]} / ${N_OTHERS[$case]} |"
done
echo
echo "Paced, first-ordinal pod ($CONNECTIONS connections, each pausing ${PACE_MS} ms after every answer; the pause is not counted in latency):"
echo "webhook $WP_RPS req/s, p50 / p99 $WP_P50 / $WP_P99 ms, max RSS $WP_RSS MiB; nginx $NP_RPS req/s, p50 / p99 $NP_P50 / $NP_P99 ms."
echo "Saturated runs measure queueing as much as work: with $CONNECTIONS connections always waiting, latency is about"
echo "connections ÷ throughput. API servers send a few reviews at a time; the paced run is closer to that."
echo
echo "CPU µs/request is the server's user + system CPU time during the measured run divided by the requests answered: unlike"
echo "req/s it does not depend on how much CPU wrk and other processes take. \"Others' CPU\" is the share of the machine's CPU"
echo "time used during the run by processes other than the server and wrk; when it is not near 0, req/s and latency are low."
echo
echo "nginx (\`nginx-light\`, \`worker_processes auto\`) answers \`POST /mutate\` over TLS with the webhook's own response"
echo "to the same request (captured first, compared byte for byte), from the same ECDSA P-256 certificate: the cost of TLS + HTTP"
echo "on this machine with no work at all. Idle RSS of the webhook after start: $IDLE_RSS_MIB MiB."
echo
echo "## Where the idle memory goes"
echo
echo "The shipped flags with \`-XX:NativeMemoryTracking=summary\`, 2 s after ready: the process's anonymous and file-backed"
echo "resident memory, then what the JVM itself has committed by category (1 MiB and more). \"Shared class space\" is the AOT"
echo "cache's class data; without the cache the same classes land in Metaspace and the total stays about the same."
echo
echo '```'
cat "$MEMORY"
echo '```'
echo
echo "## The hot path alone"
echo
echo "\`AdmissionReviewHandler\` in process (\`bench/HandlerBench.java\`, shipped flags, 20,000 calls of warm-up, 50,000 measured):"
echo "thread CPU time and bytes allocated per review, without TLS or HTTP."
echo
echo '```'
cat "$HOT_PATH"
echo '```'
echo
echo "## Start-up"
echo
echo "| configuration | JVM start → ready (median ms) | JVM start → HTTPS port accepting (median ms) | first request after that (median ms) | of which TLS handshake (ms) | RSS at ready MiB | all readies (ms) |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for config in "${STARTUP_CONFIGS[@]}"; do
    echo "| ${CONFIG_TITLE[$config]} | ${READY_MED[$config]} | ${SERVING_MED[$config]} | ${FIRST_MED[$config]} | ${TLS_MED[$config]} | ${RSS_MED[$config]} | ${S_READY[$config]}|"
done
echo
echo "The image's AOT cache: $CDS_MIB MiB. Configurations interleaved: each of the $STARTS rounds starts every one once. The"
echo "serving certificate is a mounted pair of files (files mode, as in a cluster), written by a first start."
echo
echo "Ready: from launching \`java\` to the first 200 of \`/q/health/ready\` (polled every 10 ms). First request: curl's"
echo "\`time_total\` for the first-ordinal AdmissionReview right after ready, new TLS connection included."
echo
echo "## Label-self: time to patched"
echo
echo "$LABEL_SELF"
echo
echo "## StatefulSet informer cache"
echo
if [ -z "$CACHE_NOTE" ]; then
    echo "| other StatefulSets cached | ready ms | idle RSS MiB | req/s | CPU µs/request | p50 ms | p99 ms | max RSS under load MiB | notes |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    for n in 0 1000 10000; do echo "| $n | ${CACHE_READY[$n]} | ${C_IDLE[$n]} | ${C_RPS[$n]} | ${C_CPU[$n]} | ${C_P50[$n]} | ${C_P99[$n]} | ${C_RSS[$n]} | ${C_NOTE[$n]} |"; done
    echo
    echo "The local mock API server (\`bench/mock-apiserver.py\`) holds the pod's own StatefulSet plus N others (~1.5 KB each)."
else
    echo "$CACHE_NOTE"
fi
if [ -n "$VARIANT_ROWS" ]; then
    echo
    echo "## JVM flags and event loops (first-ordinal pod)"
    echo
    echo "| variant | flags | ready ms | req/s | server CPU µs/request | p50 ms | p99 ms | max RSS MiB | others' CPU % |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    printf '%s' "$VARIANT_ROWS"
fi
echo
echo "## Profile (perf, first-ordinal pod under load)"
echo
echo "Where the webhook process's CPU time goes, by library (\`perf record -F 499\` during the measured run;"
echo "JIT-compiled Java named through \`-XX:+DumpPerfMapAtExit\`):"
echo
echo '```'
echo "$PERF_DSO"
echo '```'
if [ -n "$PERF_SYMS" ]; then
    echo
    echo "Top symbols:"
    echo
    echo '```'
    echo "$PERF_SYMS"
    echo '```'
fi
echo
echo "## Profile (JFR, first-ordinal pod under load, $SAMPLES execution samples)"
echo
echo "JFR samples threads only while they run Java code, so with TLS in BoringSSL it sees a small part of the time."
echo
echo "Top frames (where CPU time is spent):"
echo
echo '```'
cat "$TOP_FRAMES"
echo '```'
echo
echo "First first-ordinal, Jackson or fabric8 frame in each sample (the application's share):"
echo
echo '```'
cat "$WORK/app-frames.txt"
echo '```'
} > "$RESULTS"
if [ -n "$ATTACK_SECTION" ]; then printf '\n%s\n' "$ATTACK_SECTION" >> "$RESULTS"; fi
if [ -n "$APISERVER_SECTION" ]; then printf '\n%s\n' "$APISERVER_SECTION" >> "$RESULTS"; fi
if [ -n "$SCALE_SECTION" ]; then printf '\n%s\n' "$SCALE_SECTION" >> "$RESULTS"; fi
log "wrote $RESULTS"
