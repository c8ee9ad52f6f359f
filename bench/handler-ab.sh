#!/usr/bin/env bash
# CPU per review of the admission hot path (bench/HandlerBench.java: parse, decide, patch, encode, in process,
# thread CPU time), this build against a baseline build, side by side. Rounds alternate between the two builds,
# so load from elsewhere on the machine falls on both alike; the medians and their ratio are printed.
#
#   git worktree add /tmp/baseline <commit> && (cd /tmp/baseline && ./mvnw -q package -DskipTests)
#   BENCH_BASELINE_APP=/tmp/baseline/target/quarkus-app bench/handler-ab.sh
#
# Bounded: BENCH_ROUNDS (default 5) rounds of 70,000 calls per build and review. Needs jq.
set -euo pipefail
cd "$(dirname "$0")/.."

BASELINE=${BENCH_BASELINE_APP:?set BENCH_BASELINE_APP to the target/quarkus-app of a baseline build}
ROUNDS=${BENCH_ROUNDS:-5}
JAVA=${JAVA:-java}
# The shipped JVM flags (Dockerfile.jvm's JAVA_OPTS_APPEND), without the image's AOT cache.
read -r -a FLAGS <<< "$(sed -n 's/^ENV JAVA_OPTS_APPEND="\(.*\)"$/\1/p' Dockerfile.jvm | sed 's/-XX:AOTCache=[^ ]*//')"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/first-ordinal-handler-ab.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
jq -c . src/test/resources/admission/first-ordinal-redis.review.json > "$WORK/first.json"
jq -c . src/test/resources/admission/ordinal-1-left-alone.review.json > "$WORK/other.json"

classpath() { echo "$(ls "$1"/app/*.jar):$(ls "$1"/lib/main/*.jar | tr '\n' ':')"; }
declare -A CP=([baseline]=$(classpath "$BASELINE") [this]=$(classpath target/quarkus-app))

for round in $(seq "$ROUNDS"); do
    for build in baseline this; do
        "$JAVA" "${FLAGS[@]}" -cp "${CP[$build]}" bench/HandlerBench.java "$WORK/first.json" "$WORK/other.json" \
            | sed "s/^/$build /" >> "$WORK/results.txt"
    done
    echo "round $round of $ROUNDS done" >&2
done

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
echo "| review | baseline µs CPU | this build µs CPU | this / baseline |"
echo "| --- | --- | --- | --- |"
for review in first.json other.json; do
    b=$(grep "^baseline $review " "$WORK/results.txt" | sed 's/.*cpu_us=\([0-9.]*\).*/\1/' | median)
    t=$(grep "^this $review " "$WORK/results.txt" | sed 's/.*cpu_us=\([0-9.]*\).*/\1/' | median)
    echo "| $review | $b | $t | $(awk -v t="$t" -v b="$b" 'BEGIN {printf "%.2f", t / b}') |"
done
