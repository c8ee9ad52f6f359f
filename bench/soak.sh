#!/bin/sh
# Soak test: drives SOAK_REQUESTS (default 1,000,000) AdmissionReviews at the packaged webhook over TLS
# with keep-alive (wrk, SOAK_CONNECTIONS connections), mixing first-ordinal (patched), other-ordinal
# (left alone) and malformed (400) reviews 1:2:1. Runs in chunks of SOAK_CHUNK_SECONDS to record p99
# and RSS over time; stops at the request target or after SOAK_MAX_SECONDS, whichever comes first.
# Everything stays on 127.0.0.1. Writes bench/SOAK.md (override with SOAK_REPORT).
#
#   bench/soak.sh                          # needs java 17+, wrk, python3, ps
#   SOAK_REQUESTS=100000 bench/soak.sh     # a short run
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)

REQUESTS=${SOAK_REQUESTS:-1000000}
MAX_SECONDS=${SOAK_MAX_SECONDS:-900}
CHUNK=${SOAK_CHUNK_SECONDS:-15}
CONNECTIONS=${SOAK_CONNECTIONS:-32}
# RSS growth is measured from the chunk that passes this many requests (JIT, TLS sessions, pools warm).
WARMUP=${SOAK_WARMUP_REQUESTS:-100000}
THREADS=${SOAK_THREADS:-2}
HTTPS_PORT=${SOAK_HTTPS_PORT:-18443}
MGMT_PORT=${SOAK_MANAGEMENT_PORT:-19000}
# The deployment's JVM settings (README, "Observability", "Overload").
JAVA_OPTS=${SOAK_JAVA_OPTS:--XX:+UseSerialGC -Xmx96m -Xss512k -XX:+ExitOnOutOfMemoryError}
REPORT=${SOAK_REPORT:-$ROOT/bench/SOAK.md}
JAR=$ROOT/target/quarkus-app/quarkus-run.jar

for tool in java wrk python3 ps; do
  command -v "$tool" >/dev/null 2>&1 || { echo "soak: $tool is missing (Debian: apt-get install wrk python3 procps)" >&2; exit 2; }
done
if [ ! -f "$JAR" ]; then
  echo "soak: building the jar"
  ./mvnw -B -q package -DskipTests -Dfuzz.skip=true
fi

WORK=$(mktemp -d)
PID=""
SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Bodies: the fixtures, with uids that tell the wrk script which answer to expect.
python3 - "$ROOT/src/test/resources/admission" "$WORK" <<'PY'
import json, sys
src, out = sys.argv[1], sys.argv[2]
for name, fixture, uid in [("first-ordinal", "first-ordinal-redis", "first-0001"),
                           ("other-ordinal", "ordinal-1-left-alone", "other-0001")]:
    review = json.load(open(f"{src}/{fixture}.review.json"))
    review["request"]["uid"] = uid
    json.dump(review, open(f"{out}/{name}.json", "w"), separators=(",", ":"))
open(f"{out}/malformed.json", "w").write('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":')
PY

# shellcheck disable=SC2086
java $JAVA_OPTS \
  -Dfirst-ordinal.tls.cert-file="$WORK/absent.crt" -Dfirst-ordinal.tls.key-file="$WORK/absent.key" \
  -Dfirst-ordinal.tls.self-signed-dir="$WORK/tls" \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.ssl-port="$HTTPS_PORT" \
  -Dquarkus.management.host=127.0.0.1 -Dfirst-ordinal.admission.management-port="$MGMT_PORT" \
  -jar "$JAR" >"$WORK/webhook.log" 2>&1 &
PID=$!

rss_kb() { ps -o rss= -p "$PID" | tr -d ' '; }
i=0
until curl -fsS "http://127.0.0.1:$MGMT_PORT/q/health/ready" >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 600 ] || ! kill -0 "$PID" 2>/dev/null; then
    echo "soak: webhook did not become ready" >&2; cat "$WORK/webhook.log" >&2; exit 1
  fi
  sleep 0.1
done
RSS_START=$(rss_kb)

# RSS every 5 s, independent of the chunks.
( while kill -0 "$PID" 2>/dev/null; do echo "$(date +%s) $(ps -o rss= -p "$PID" | tr -d ' ')"; sleep 5; done ) >"$WORK/rss.txt" &
SAMPLER=$!

START=$(date +%s)
TOTAL=0
ERRORS=0
CHUNKS=0
RSS_WARM=""
WARM_CHUNK=0
: >"$WORK/chunks.txt"
export SOAK_BODIES="$WORK"
while [ "$TOTAL" -lt "$REQUESTS" ]; do
  ELAPSED=$(( $(date +%s) - START ))
  LEFT=$(( MAX_SECONDS - ELAPSED ))
  [ "$LEFT" -le 0 ] && { echo "soak: time cap of ${MAX_SECONDS}s reached"; break; }
  D=$CHUNK; [ "$LEFT" -lt "$D" ] && D=$LEFT
  LINE=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${D}s" --timeout 10s -s "$ROOT/bench/soak.lua" \
    "https://127.0.0.1:$HTTPS_PORT/mutate" | grep '^SOAK_RESULT')
  CHUNKS=$((CHUNKS + 1))
  RSS=$(rss_kb)
  # shellcheck disable=SC2086
  set -- $LINE
  shift
  for kv in "$@"; do eval "$kv"; done
  UNEXPECTED_400=$(( got400 > sent_malformed ? got400 - sent_malformed : 0 ))
  E=$(( wrong + other_status + connect + read + write + timeout + UNEXPECTED_400 ))
  TOTAL=$((TOTAL + requests))
  if [ -z "$RSS_WARM" ] && [ "$TOTAL" -ge "$WARMUP" ]; then RSS_WARM=$RSS; WARM_CHUNK=$CHUNKS; fi
  ERRORS=$((ERRORS + E))
  echo "$CHUNKS $(( $(date +%s) - START )) $requests $duration_us $p50_us $p99_us $max_us $E $RSS $ok $got400" >>"$WORK/chunks.txt"
  echo "soak: chunk $CHUNKS: $requests requests, p99 ${p99_us}us, errors $E, RSS $((RSS / 1024)) MiB (total $TOTAL)"
done
RSS_END=$(rss_kb)
[ -z "$RSS_WARM" ] && { RSS_WARM=$RSS_END; WARM_CHUNK=$CHUNKS; }
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""
METRICS=$(curl -fsS "http://127.0.0.1:$MGMT_PORT/q/metrics" | grep '^first_ordinal_admission_requests_total' || true)
HEAP=$(curl -fsS "http://127.0.0.1:$MGMT_PORT/q/metrics" | grep '^jvm_memory_used_bytes{area="heap"' || true)
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

python3 - "$WORK" "$REPORT" "$TOTAL" "$ERRORS" "$RSS_START" "$RSS_WARM" "$RSS_END" "$(( $(date +%s) - START ))" \
  "$CONNECTIONS" "$JAVA_OPTS" "$METRICS" "$HEAP" "$WARM_CHUNK" "$WARMUP" <<'PY'
import sys, datetime
work, report, total, errors, rss0, rss_warm, rss_end, secs, conns, opts, metrics, heap, warm_chunk, warmup = sys.argv[1:15]
total, errors, rss0, rss_warm, rss_end, secs = map(int, (total, errors, rss0, rss_warm, rss_end, secs))
rows = [l.split() for l in open(f"{work}/chunks.txt") if l.strip()]
growth = (rss_end - rss_warm) * 100.0 / rss_warm
out = [
    "# Soak run", "",
    f"`bench/soak.sh` on {datetime.date.today()}: packaged jar on 127.0.0.1, TLS, keep-alive, {conns} connections (wrk),",
    "reviews rotating first-ordinal (patched) : other-ordinal (left alone) : malformed (400) = 1 : 2 : 1.",
    f"JVM: `{opts}`. Machine: 2 shared cores, wrk and the webhook on the same host.", "",
    "| figure | value |", "| --- | --- |",
    f"| requests | {total:,} in {secs} s ({total / max(secs, 1):,.0f}/s) |",
    f"| errors (socket errors, timeouts, wrong status or answer) | {errors} |",
    f"| RSS at start (idle) | {rss0 / 1024:.1f} MiB |",
    f"| RSS after warm-up ({int(warmup):,} requests, chunk {warm_chunk}) | {rss_warm / 1024:.1f} MiB |",
    f"| RSS at the end | {rss_end / 1024:.1f} MiB |",
    f"| RSS growth after warm-up | {growth:+.1f} % (target < 10 %) |", "",
    "## p99 and RSS over time", "",
    "| chunk | t (s) | requests | req/s | p50 (ms) | p99 (ms) | max (ms) | errors | RSS (MiB) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]
for c, t, n, dur, p50, p99, mx, e, rss, ok, got400 in rows:
    rate = int(n) / (int(dur) / 1e6)
    out.append(f"| {c} | {t} | {int(n):,} | {rate:,.0f} | {int(p50)/1000:.2f} | {int(p99)/1000:.2f} | {int(mx)/1000:.1f} | {e} | {int(rss)/1024:.1f} |")
out += ["", "## The webhook's own counters at the end", "", "```", metrics.strip(), heap.strip(), "```", ""]
open(report, "w").write("\n".join(out))
print("\n".join(out[:16]))
PY
[ "$ERRORS" -eq 0 ]
