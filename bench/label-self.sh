#!/usr/bin/env bash
# Times `java -jar target/quarkus-app/quarkus-run.jar label-self` from JVM start to pod patched,
# against a local mock Kubernetes API (fabric8 CRUD mock, plain HTTP on loopback only).
#
# Usage: bench/label-self.sh [ROUNDS]     (ROUNDS 1..20, default 7)
#        bench/label-self.sh --phases     (where the time goes: one run each of default and c1, step by step)
# Needs: ./mvnw -B package -DskipTests    (the packaged jar and the test classes)
#
# Each round runs every JVM configuration once, interleaved, each on a fresh first-ordinal pod:
#   default      java -jar quarkus-run.jar label-self
#   c1           + -XX:TieredStopAtLevel=1 (what deploy/labeller sets)
#   image+c1     + the image's JVM flags and its AOT cache, trained as Dockerfile.jvm does (on `serve`): what ships
#   self-aot+c1  + an AOT cache trained on label-self itself (JDK 25+: -XX:AOTCacheOutput)
#   17:cds+c1    the baseline: JDK 17 (BENCH_BASELINE_JAVA, found under /usr/lib/jvm if unset) with an AppCDS
#                archive trained on label-self (the best JDK 17 configuration before the move to 25)
# "to patched" is the mock server's clock when it answered the PATCH minus the clock just before
# `java` was started; "to exit" adds the JVM's shutdown. Results: bench/out/label-self-results.txt
# The JDKs: bench/jdk.sh.
set -euo pipefail

PHASES=false
if [[ ${1:-} == --phases ]]; then
  PHASES=true
  shift
fi
ROUNDS=${1:-7}
if ! [[ $ROUNDS =~ ^[0-9]+$ ]] || (( ROUNDS < 1 || ROUNDS > 20 )); then
  echo "bench/label-self.sh: ROUNDS must be 1..20, not '$ROUNDS'" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
JAR=target/quarkus-app/quarkus-run.jar
OUT=bench/out
mkdir -p "$OUT"
[[ -f $JAR && -d target/test-classes ]] || { echo "bench/label-self.sh: run './mvnw -B package -DskipTests' first" >&2; exit 2; }

if [[ ! -s $OUT/test-classpath.txt || pom.xml -nt $OUT/test-classpath.txt ]]; then
  ./mvnw -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/test-classpath.txt" >&2
fi

# shellcheck source=bench/jdk.sh
source bench/jdk.sh
CONFIGS=(default c1 image+c1 self-aot+c1)
[[ -n $BASELINE_JAVA ]] && CONFIGS+=(17:cds+c1)
SETS=$(( ROUNDS * ${#CONFIGS[@]} + 6 ))
SERVER_LOG=$OUT/mock-api.out
ARCHIVE=$OUT/label-self-17.jsa
SELF_AOT=$OUT/label-self.aot
IMAGE_AOT=$OUT/image.aot
IMAGE_FLAGS=$(sed -n 's/^ENV JAVA_OPTS_APPEND="\(.*\)"$/\1/p' Dockerfile.jvm | sed "s#-XX:AOTCache=[^ ]*#-XX:AOTCache=$IMAGE_AOT#")

# The mock API serves until this script ends, 15 minutes at most. The log is emptied first: the background
# job truncates it only when it gets to run, and the wait below must not read the last run's URL.
: > "$SERVER_LOG"
"$JAVA" -cp "target/test-classes:target/classes:$(cat "$OUT/test-classpath.txt")" \
  dev.firstordinal.labeller.LabelSelfBenchServer "$SETS" 900 $$ \
  < /dev/null > "$SERVER_LOG" 2> "$OUT/mock-api.err" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 1200); do  # up to 120 s: the mock's JVM starts slowly on a busy machine
  [[ -s $SERVER_LOG ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "mock API failed to start; see $OUT/mock-api.err" >&2; exit 1; }
  sleep 0.1
done
URL=$(head -n1 "$SERVER_LOG")
[[ $URL == http://localhost:* ]] || { echo "mock API did not print its URL; see $OUT/mock-api.err" >&2; exit 1; }

# Only the mock API: no kubeconfig, no in-cluster account, no proxies.
run_env=(env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u KUBECONFIG
         NO_PROXY=localhost,127.0.0.1 KUBERNETES_MASTER="$URL" KUBECONFIG=/nonexistent
         KUBERNETES_AUTH_TRYKUBECONFIG=false KUBERNETES_AUTH_TRYSERVICEACCOUNT=false
         POD_NAMESPACE=bench FIRST_ORDINAL_LABELLER_REQUIRED=true)

java_for() { [[ $1 == 17:* ]] && echo "$BASELINE_JAVA" || echo "$JAVA"; }
opts_for() {
  case $1 in
    default) ;;
    c1) echo "-XX:TieredStopAtLevel=1" ;;
    image+c1) echo "$IMAGE_FLAGS" ;;  # the image's flags already hold -XX:TieredStopAtLevel=1
    self-aot+c1) echo "-XX:AOTCache=$SELF_AOT -XX:TieredStopAtLevel=1" ;;
    17:c1) echo "-XX:TieredStopAtLevel=1" ;;
    17:cds+c1) echo "-XX:SharedArchiveFile=$ARCHIVE -Xshare:auto -XX:TieredStopAtLevel=1" ;;
  esac
}

next=1
run_once() {  # run_once CONFIG EXTRA_OPTS...; sets RESULT="to_patched to_exit user sys" (no subshell: it counts pods)
  local config=$1; shift
  local pod=bench-$next-0
  next=$((next + 1))
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "the mock API died; see $OUT/mock-api.err" >&2; exit 1; }
  local start end
  start=$(date +%s%3N)
  # shellcheck disable=SC2046  # the options are meant to split into words
  /usr/bin/time -f "%U %S %M" -o "$OUT/time.txt" "${run_env[@]}" POD_NAME="$pod" \
    "$(java_for "$config")" $(opts_for "$config") "$@" -jar "$JAR" label-self > "$OUT/last-run.log" 2>&1 \
    || { echo "label-self failed for $pod ($config); see $OUT/last-run.log" >&2; exit 1; }
  end=$(date +%s%3N)
  local patched
  patched=$(awk -v p="$pod" '$1 == "PATCHED" && $2 == p {print $3; exit}' "$SERVER_LOG")
  [[ -n $patched ]] || { echo "no PATCH seen for $pod ($config)" >&2; exit 1; }
  RESULT="$((patched - start)) $((end - start)) $(cat "$OUT/time.txt")"
}

if $PHASES; then
  {
    for config in default c1; do
      echo "label-self phases, $config JVM (plain classpath, load average $(cut -d' ' -f1-3 /proc/loadavg)):"
      # shellcheck disable=SC2046
      "${run_env[@]}" POD_NAME="bench-$next-0" "$JAVA" $(opts_for "$config") -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
        -cp "target/test-classes:target/classes:$(cat "$OUT/test-classpath.txt")" dev.firstordinal.labeller.LabelSelfPhases
      next=$((next + 1))
    done
  } | tee "$OUT/label-self-phases.txt"
  exit 0
fi

rm -f "$ARCHIVE" "$SELF_AOT" "$IMAGE_AOT"
echo "training runs (AOT caches${BASELINE_JAVA:+, JDK 17 AppCDS archive})..." >&2
run_once c1 "-XX:AOTCacheOutput=$SELF_AOT"
# The image's cache, trained as Dockerfile.jvm's RUN java ... step does (on `serve`), paths moved here.
TRAINING=$(awk '/^RUN java /{on = 1} on {print} on && /&&/ {exit}' Dockerfile.jvm | tr '\n' ' ' \
    | sed -e 's/\\ / /g' -e 's/^RUN java //' -e 's/ *&&.*//' -e "s#/deployments/app.aot#$IMAGE_AOT#g" \
          -e "s#/deployments/quarkus-run.jar#$JAR#g" -e "s#/tmp/cds-training-tls#$OUT/training-tls#g")
# shellcheck disable=SC2086
"$JAVA" $TRAINING > "$OUT/image-training.log" 2>&1 || { tail -5 "$OUT/image-training.log" >&2; exit 1; }
[[ -s $IMAGE_AOT ]] || { echo "the image's training run wrote no AOT cache" >&2; exit 1; }
if [[ -n $BASELINE_JAVA ]]; then
  run_once 17:c1 "-XX:ArchiveClassesAtExit=$ARCHIVE"
fi
echo "warm-up run (page cache)..." >&2
run_once default

RAW=$OUT/label-self-raw.txt
: > "$RAW"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$ROUNDS"); do
  for config in "${CONFIGS[@]}"; do
    run_once "$config"
    echo "$config $RESULT" >> "$RAW"
  done
  echo "round $round/$ROUNDS done" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print int((v[NR/2]+v[NR/2+1])/2)}'; }
{
  echo "label-self: JVM start -> pod patched, $ROUNDS runs per configuration ($(nproc) CPUs; load average $load_before before, $load_after after)"
  echo "java: $("$JAVA" -version 2>&1 | head -n1)${BASELINE_JAVA:+; baseline (17:*): $("$BASELINE_JAVA" -version 2>&1 | head -n1)}"
  printf '%-12s %20s %14s %18s %12s\n' config "to patched (ms)" "to exit (ms)" "CPU (ms)" "max RSS (MB)"
  printf '%-12s %20s %14s %18s %12s\n' "" "median [min-max]" median "median, user+sys" median
  for config in "${CONFIGS[@]}"; do
    rows=$(awk -v c="$config" '$1 == c' "$RAW")
    p_med=$(awk '{print $2}' <<< "$rows" | median)
    p_min=$(awk '{print $2}' <<< "$rows" | sort -n | head -n1)
    p_max=$(awk '{print $2}' <<< "$rows" | sort -n | tail -n1)
    e_med=$(awk '{print $3}' <<< "$rows" | median)
    cpu_med=$(awk '{print int(($4 + $5) * 1000)}' <<< "$rows" | median)
    rss_med=$(awk '{print int($6 / 1024)}' <<< "$rows" | median)
    printf '%-12s %20s %14s %18s %12s\n' "$config" "$p_med [$p_min-$p_max]" "$e_med" "$cpu_med" "$rss_med"
  done
} | tee "$OUT/label-self-results.txt"
