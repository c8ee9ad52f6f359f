#!/usr/bin/env bash
# Issue #31's scale benchmark: memory per StatefulSet and per pod, then the webhook (image JVM flags) and
# audit against a real control plane whose fleet grows in STAGES (StatefulSets, comma-separated) with
# PODS_PER_SET Pending pods each; the whole run ends within MINUTES.
#
#   bench/scale.sh [STAGES] [PODS_PER_SET] [MINUTES]    # default 1000,10000 3 90 (the issue's 10,000 sets, 30,000 pods)
#   SCALE_WEBHOOK_OPTIONS="-Dfirst-ordinal.repair.enabled=false" bench/scale.sh    # extra webhook JVM options
#   SCALE_WEBHOOK_OPTIONS="-Xlog:gc:file=/tmp/scale-gc-%p.log" bench/scale.sh    # the heap left by every GC: a relist's peak
#   SCALE_BASELINE_APP=/path/to/other/quarkus-app bench/scale.sh                # that build restarts over the fleet first: the row before
#
# Memory per object: bench/MemoryPerObject.java, whole client objects (what a coverage run held before
# #31, the baseline) against what first-ordinal keeps now, in one JVM. The real-cluster part:
# dev.firstordinal.e2e.ScaleBench (its own control plane under target/e2e/scale-bench, stopped at exit).
# Needs: ./mvnw -B package -DskipTests (the jar and the test classes); Go for the control plane (docs/testing.md).
# Loopback only; bounded: every wait has a deadline. Writes the "Memory per StatefulSet and per pod" and
# "Scale on a real control plane" sections of bench/RESULTS.md (bench/run.sh keeps them).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/jdk.sh
STAGES=${1:-1000,10000}
PODS_PER_SET=${2:-3}
MINUTES=${3:-90}
OUT=bench/out
RESULTS=${BENCH_RESULTS:-bench/RESULTS.md}
mkdir -p "$OUT"
[[ -f target/quarkus-app/quarkus-run.jar && -d target/test-classes ]] || { echo "bench/scale.sh: run './mvnw -B package -DskipTests' first" >&2; exit 2; }
if [[ ! -s $OUT/test-classpath.txt || pom.xml -nt $OUT/test-classpath.txt ]]; then
  ./mvnw -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/test-classpath.txt" >&2
fi
APP_CP=$(ls target/quarkus-app/app/*.jar):$(ls target/quarkus-app/lib/main/*.jar | tr '\n' ':')
"$JAVA" -XX:+UseSerialGC -Xmx1g -cp "$APP_CP" bench/MemoryPerObject.java deploy/examples/redis-sentinel/statefulset.yaml 3000 \
  2>/dev/null > "$OUT/memory-per-object.txt"
rm -rf target/e2e/scale-bench
"$JAVA" -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "target/test-classes:target/classes:$(cat "$OUT/test-classpath.txt")" \
  dev.firstordinal.e2e.ScaleBench "$STAGES" "$PODS_PER_SET" "$OUT/scale-results.md" "$MINUTES"

python3 - "$OUT/memory-per-object.txt" "$OUT/scale-results.md" "$RESULTS" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$STAGES $PODS_PER_SET $MINUTES" <<'PY'
import re, sys
memory, scale, target, when, args = open(sys.argv[1]).read().strip(), open(sys.argv[2]).read().strip(), sys.argv[3], sys.argv[4], sys.argv[5]
load = open("/proc/loadavg").read().split()[:3]
section = f"""<!-- scale.sh begin -->
## Memory per StatefulSet and per pod

Produced by `bench/scale.sh {args}` on {when} (1/5/15-minute load average at the end: {', '.join(load)}; the machine is shared).
Heap retained per object, after a full GC, N objects each parsed from its own JSON (`bench/MemoryPerObject.java`).
"Whole" is the client object a coverage run held per StatefulSet and per pod before issue #31 (the baseline);
"essentials" is what first-ordinal keeps now (the informer cache and a coverage batch); ratios are essentials / whole.

```
{memory}
```

## Scale on a real control plane

{scale}
<!-- scale.sh end -->
"""
text = open(target).read()
if "<!-- scale.sh begin -->" in text:
    text = re.sub(r"<!-- scale.sh begin -->.*?<!-- scale.sh end -->\n", lambda m: section, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + section
open(target, "w").write(text)
PY
echo "bench/scale.sh: wrote $RESULTS" >&2
