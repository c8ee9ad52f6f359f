#!/usr/bin/env bash
# The webhook under attack: a legitimate client's success rate and latency, and the webhook's RSS, while
# attack traffic runs beside it, against the quiet baseline measured in the same run (issue 20).
# Writes the section "Under attack" of bench/RESULTS.md (bench/run.sh keeps it when it rewrites the file).
#
#   bench/attack.sh                          # 11 scenarios of 20 s each, about 6 minutes
#   BENCH_ATTACK_DURATION=10 bench/attack.sh
#   BENCH_JAR=/elsewhere/quarkus-run.jar BENCH_RESULTS=/tmp/before.md bench/attack.sh   # another build, e.g. the baseline
#   BENCH_ATTACK_SCENARIOS="idle handshake" bench/attack.sh                            # some scenarios only
#
# Loopback only (127.0.0.1); every attacker and sampler loop is bounded in time (bench/attack.py).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${BENCH_ATTACK_DURATION:-20}
RESULTS=${BENCH_RESULTS:-$ROOT/bench/RESULTS.md}
JAR=${BENCH_JAR:-$ROOT/target/quarkus-app/quarkus-run.jar}
# The image's JVM flags (Dockerfile.jvm), without its AOT cache (only the image has it).
FLAGS=$(sed -n 's/^ENV JAVA_OPTS_APPEND="\(.*\)"$/\1/p' Dockerfile.jvm | sed -e 's/-XX:SharedArchiveFile=[^ ]*//' -e 's/-XX:AOTCache=[^ ]*//')
JAVA_ENV=$(sed -n 's/^ENV \(MALLOC_ARENA_MAX="[0-9]*"\)$/\1/p' Dockerfile.jvm | tr -d '"')
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
WORK=$(mktemp -d "${TMPDIR:-/tmp}/first-ordinal-attack.XXXXXX")
PIDS=()
log() { printf '%s attack: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

[ -f "$JAR" ] || { log "building the jar"; ./mvnw -q -B package -DskipTests >&2; }
# The handshake flood comes from 127.0.0.2 (the legit clients from 127.0.0.1): Linux routes all of 127/8 to loopback.
SSL_PORT=$(free_port)
MGMT_PORT=$(free_port)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
WEBHOOK=""
# A fresh webhook per scenario, so that each RSS figure is that attack's own (RSS does not fall back after a peak).
start_webhook() {
    # shellcheck disable=SC2086
    env $JAVA_ENV java $FLAGS -Dfirst-ordinal.tls.self-signed-dir="$WORK/tls" \
        -Dfirst-ordinal.tls.cert-file="$WORK/none.crt" -Dfirst-ordinal.tls.key-file="$WORK/none.key" \
        -Dfirst-ordinal.statefulset-cache.enabled=false -Dfirst-ordinal.coverage.enabled=false -Dfirst-ordinal.repair.enabled=false \
        -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.ssl-port="$SSL_PORT" \
        -Dquarkus.management.host=127.0.0.1 -Dfirst-ordinal.admission.management-port="$MGMT_PORT" \
        -jar "$JAR" >>"$WORK/webhook.log" 2>&1 &
    WEBHOOK=$!
    PIDS+=("$WEBHOOK")
    for _ in $(seq 600); do
        curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$MGMT_PORT/q/health/ready" && return 0
        kill -0 "$WEBHOOK" 2>/dev/null || { tail -20 "$WORK/webhook.log" >&2; exit 1; }
        sleep 0.1
    done
    log "the webhook was not ready within 60 s"; exit 1
}
stop_webhook() {
    kill "$WEBHOOK" 2>/dev/null || true
    # A JVM broken by an attack may not finish its shutdown: killed after 30 s.
    for _ in $(seq 300); do kill -0 "$WEBHOOK" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$WEBHOOK" 2>/dev/null || true
    wait "$WEBHOOK" 2>/dev/null || true
}
# A series' value; 0 when absent; "n/a" when the management port does not answer (the mgmt attack's very outage).
metric() {
    local text
    text=$(curl -fs --max-time 5 "http://127.0.0.1:$MGMT_PORT/q/metrics") || { echo n/a; return 0; }
    awk -v s="$1" '$1 == s {print $2; f=1} END {if (!f) print 0}' <<<"$text"
}
delta() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "n/a" || b == "n/a") print "n/a"; else print a - b}'; }
rss_mib() { awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "/proc/$WEBHOOK/status" 2>/dev/null || echo 0; }

ROWS=()
HWMS=()
for scenario in ${BENCH_ATTACK_SCENARIOS:-quiet slow bodies pipeline all idle mgmt h2c warnings logs handshake}; do
    case $scenario in
        quiet) modes=() ;;
        all) modes=(slow bodies pipeline) ;;
        *) modes=("$scenario") ;;
    esac
    # Who the legit client is: the API server on a keep-alive connection, the API server opening new connections
    # (after its idle pool expired), or the kubelet's liveness probe on the management port.
    case $scenario in
        idle|handshake) legit_mode=legit-new; legit_port=$SSL_PORT ;;
        mgmt|h2c) legit_mode=probe; legit_port=$MGMT_PORT ;;
        *) legit_mode=legit; legit_port=$SSL_PORT ;;
    esac
    attack_port=$SSL_PORT; case $scenario in mgmt|h2c) attack_port=$MGMT_PORT ;; esac
    start_webhook
    overloaded0=$(metric 'first_ordinal_admission_requests_total{outcome="error",reason="overloaded"}')
    timeouts0=$(metric first_ordinal_http_header_timeouts_total)
    refused0=$(metric 'first_ordinal_http_connections_refused_total{reason="limit"}')
    evicted0=$(metric first_ordinal_http_connections_evicted_total)
    log_bytes0=$(stat -c %s "$WORK/webhook.log")
    cpu0=$(awk '{print $14 + $15}' "/proc/$WEBHOOK/stat")
    log "scenario $scenario (${modes[*]:-no attack}), ${DURATION} s"
    attackers=()
    for mode in "${modes[@]}"; do
        "$PYTHON" bench/attack.py "$mode" "$attack_port" "$DURATION" >"$WORK/$scenario-$mode.out" 2>&1 &
        attackers+=($!)
        PIDS+=($!)
    done
    # RSS every 200 ms while the scenario runs (bounded: DURATION + 10 s).
    ( peak=0; end=$(( $(date +%s) + DURATION + 10 ))
      while [ "$(date +%s)" -lt "$end" ] && kill -0 "$WEBHOOK" 2>/dev/null; do
          r=$(rss_mib); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" >"$WORK/$scenario.rss"
          sleep 0.2
      done ) &
    sampler=$!
    PIDS+=("$sampler")
    sleep 2   # let the attack ramp up
    "$PYTHON" bench/attack.py "$legit_mode" "$legit_port" $((DURATION - 4)) >"$WORK/$scenario-legit.json"
    for p in "${attackers[@]}"; do wait "$p" || true; done
    cpu_s=$(awk -v a="$(awk '{print $14 + $15}' "/proc/$WEBHOOK/stat" 2>/dev/null || echo "$cpu0")" -v b="$cpu0" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", (a-b)/hz}')
    log_mib=$(awk -v a="$(stat -c %s "$WORK/webhook.log")" -v b="$log_bytes0" 'BEGIN{printf "%.2f", (a-b)/1048576}')
    kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
    alive=yes; kill -0 "$WEBHOOK" 2>/dev/null || alive="**no: exited**"
    legit=$(cat "$WORK/$scenario-legit.json")
    attack_out=$(cat "$WORK/$scenario"-*.out 2>/dev/null | grep -v '^{' | tr '\n' ';' || true)
    ok=$(jq -r '.ok' <<<"$legit"); n=$(jq -r '.requests' <<<"$legit")
    rate=$(awk -v o="$ok" -v n="$n" 'BEGIN {printf "%.1f", n ? 100 * o / n : 0}')
    [ "$alive" = yes ] || { ROWS+=("| $scenario | ${modes[*]:-none} | $legit_mode | $ok / $n ($rate %) | – | – | $(cat "$WORK/$scenario.rss" 2>/dev/null || echo ?) | $alive | – | – |"); stop_webhook; continue; }
    ROWS+=("| $scenario | ${modes[*]:-none} | $legit_mode | $ok / $n ($rate %) | $(jq -r '"\(.p50) / \(.p99) / \(.max)"' <<<"$legit") | $(jq -c '.failures' <<<"$legit") | $(cat "$WORK/$scenario.rss" 2>/dev/null || echo ?) | $alive | 429: $(delta "$(metric 'first_ordinal_admission_requests_total{outcome="error",reason="overloaded"}')" "$overloaded0"), header timeouts: $(delta "$(metric first_ordinal_http_header_timeouts_total)" "$timeouts0"), evicted at cap: $(delta "$(metric first_ordinal_http_connections_evicted_total)" "$evicted0"), refused at cap: $(delta "$(metric 'first_ordinal_http_connections_refused_total{reason="limit"}')" "$refused0"), refused for rate: $(metric 'first_ordinal_http_connections_refused_total{reason="rate"}'); ${attack_out%;} | CPU ${cpu_s} s, log ${log_mib} MiB |")
    HWM=$(awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "/proc/$WEBHOOK/status" 2>/dev/null || echo "?")
    HWMS+=("$scenario $HWM")
    stop_webhook
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

SECTION=$(cat <<MD
<!-- attack.sh begin -->
## Under attack (\`bench/attack.sh\`)

Produced by \`bench/attack.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC ($DURATION s per scenario). Machine: $(nproc) cores, shared: 1/5/15-minute
load average $LOAD_BEFORE before, $LOAD_AFTER after (other processes were running; figures are worse than on an idle machine).
Webhook: a fresh JVM per scenario, the packaged jar, the image's JVM flags \`$FLAGS\` (no AOT cache), \`$JAVA_ENV\`.
Legit clients: **legit** (the API server) one keep-alive HTTP/1.1 connection, a first-ordinal review every 20 ms; **legit-new**
(the API server after its idle pool expired) a new connection per review every 100 ms; both 5 s timeout per review, success =
200 with \`allowed: true\`; **probe** (the kubelet) \`GET /q/health/live\` on the management port, a new connection every
200 ms, 1 s timeout. Attacks (bench/attack.py, loopback only): **slow** up to 600 connections sending one header byte every 2 s,
reopened when closed; **bodies** 24 threads posting label-heavy reviews just under the 3 MiB limit; **pipeline** 4 connections
pipelining reviews without ever reading; **all** the three together; **idle** 600 connections from 127.0.0.2 that each send one review, read
its answer and stay idle (reopened when closed); **mgmt** up to 8,000 connections from 127.0.0.2 to the management port, each a 15 KiB
partial header; **h2c** connections one after another (~50 a second) from 127.0.0.2 to the management port, each offering an h2c
upgrade as \`java.net.http.HttpClient\` does and closed after the answer; **warnings** 3 threads posting ~3 MB first-ordinal reviews with emoji names quoted in three warnings; **logs** 2 threads
posting ~2.7 MB marked reviews with long names (the INFO line); **handshake** 4 threads replaying one TLS 1.3 ClientHello on new
connections from 127.0.0.2 (the legit client is 127.0.0.1). HTTP/2 is off, so there is no rapid-reset or PING/SETTINGS scenario
(a client offering h2 gets HTTP/1.1).

| scenario | attack | legit client | legit OK / sent | legit p50 / p99 / max ms | legit failures | webhook RSS peak MiB (sampled every 200 ms) | alive | webhook counted; attackers saw | webhook CPU, log written |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
$(printf '%s\n' "${ROWS[@]}")

Each scenario runs against a freshly started webhook. RSS high-water mark (VmHWM) per scenario, MiB: $(IFS=,; echo "${HWMS[*]}" | sed 's/,/, /g')
(the Deployment's memory limit is 256 MiB).
<!-- attack.sh end -->
MD
)
if [ -f "$RESULTS" ] && grep -q '^<!-- attack.sh begin -->$' "$RESULTS"; then
    "$PYTHON" - "$RESULTS" "$SECTION" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
text = re.sub(r"(?s)<!-- attack.sh begin -->.*?<!-- attack.sh end -->", lambda m: section, text)
open(path, "w").write(text)
PY
else
    printf '\n%s\n' "$SECTION" >>"$RESULTS"
fi
log "wrote the attack section of $RESULTS"
printf '%s\n' "${ROWS[@]}"
