#!/usr/bin/env bash
# Server CPU per review and paced p99 of this build beside a baseline build, measured alternately in one run
# (issue 28: the HTTPS edge must cost no more per review than before). A short companion to bench/run.sh.
#
#   BENCH_BASELINE_JAR=/path/to/baseline/quarkus-run.jar bench/edge-cpu.sh        # 2 rounds, ~4 minutes
#
# Loopback only; every load is bounded (wrk -d). Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
BASELINE=${BENCH_BASELINE_JAR:?set BENCH_BASELINE_JAR to the quarkus-run.jar of the baseline build}
CURRENT=target/quarkus-app/quarkus-run.jar
ROUNDS=${BENCH_ROUNDS:-2}
DURATION=${BENCH_DURATION:-10}
PACE_MS=16   # as bench/run.sh's paced run: 32 connections, each pausing 16 ms after every answer
FLAGS=$(sed -n 's/^ENV JAVA_OPTS_APPEND="\(.*\)"$/\1/p' Dockerfile.jvm | sed -e 's/-XX:AOTCache=[^ ]*//')
WORK=$(mktemp -d "${TMPDIR:-/tmp}/first-ordinal-edge-cpu.XXXXXX")
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cat > "$WORK/post.lua" <<'LUA'
local f = assert(io.open("src/test/resources/admission/first-ordinal-redis.review.json", "rb"))
wrk.method = "POST"; wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
local pace = tonumber(os.getenv("PACE_MS") or "0")
if pace > 0 then function delay() return pace end end
LUA
ms() { awk '{v=$1; if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else printf "%.2f", v*1000}'; }
jiffies() { awk '{print $14 + $15}' "/proc/$PID/stat"; }

# measure <label> <jar>: one fresh JVM, a saturated run (CPU per review) and a paced run (p99).
measure() {
    local ssl mgmt url before after requests
    ssl=$(port); mgmt=$(port); url=https://127.0.0.1:$ssl/mutate
    # shellcheck disable=SC2086
    MALLOC_ARENA_MAX=2 java $FLAGS -Dfirst-ordinal.tls.self-signed-dir="$WORK/tls" -Dfirst-ordinal.tls.cert-file="$WORK/no.crt" \
        -Dfirst-ordinal.tls.key-file="$WORK/no.key" -Dfirst-ordinal.statefulset-cache.enabled=false \
        -Dfirst-ordinal.coverage.enabled=false -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.ssl-port="$ssl" \
        -Dquarkus.management.host=127.0.0.1 -Dfirst-ordinal.admission.management-port="$mgmt" -Dquarkus.log.category.\"dev.firstordinal\".level=WARN \
        -jar "$2" >"$WORK/$1.log" 2>&1 &
    PID=$!
    for _ in $(seq 900); do curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$mgmt/q/health/ready" && break; sleep 0.1; done
    wrk -t2 -c32 -d5s -s "$WORK/post.lua" "$url" >/dev/null   # warm-up
    before=$(jiffies)
    wrk -t2 -c32 -d"${DURATION}s" -s "$WORK/post.lua" "$url" >"$WORK/sat.txt"
    after=$(jiffies)
    requests=$(awk '/requests in/ {print $1}' "$WORK/sat.txt")
    PACE_MS=$PACE_MS wrk -t2 -c32 -d"${DURATION}s" --latency -s "$WORK/post.lua" "$url" >"$WORK/paced.txt"
    printf '| %s | %s | %s | %s | %s |\n' "$1" "$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$WORK/sat.txt")" \
        "$(awk -v c=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", c / hz * 1e6 / n}')" \
        "$(awk '$1 == "99%" {print $2}' "$WORK/paced.txt" | ms)" "$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$WORK/paced.txt")"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

echo "| build | saturated req/s | server CPU µs per review | paced p99 ms | paced req/s |"
echo "| --- | --- | --- | --- | --- |"
for round in $(seq "$ROUNDS"); do
    measure "baseline (round $round)" "$BASELINE"
    measure "this build (round $round)" "$CURRENT"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
