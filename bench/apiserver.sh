#!/usr/bin/env bash
# Pod CREATE latency through a real kube-apiserver: no mutation vs first-ordinal's webhook vs the same
# mutation as a MutatingAdmissionPolicy (dev.firstordinal.e2e.ApiServerLatencyBench). Loopback only;
# bounded: PODS pods per scenario (30..5000, default 2000), 8 clients.
#
# Usage: bench/apiserver.sh [PODS]
# Needs: ./mvnw -B package -DskipTests (the jar and the test classes); Go for the control plane (docs/testing.md).
# Writes bench/out/apiserver-results.md and replaces the "Through the API server" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PODS=${1:-2000}
OUT=bench/out
mkdir -p "$OUT"
[[ -f target/quarkus-app/quarkus-run.jar && -d target/test-classes ]] || { echo "bench/apiserver.sh: run './mvnw -B package -DskipTests' first" >&2; exit 2; }
if [[ ! -s $OUT/test-classpath.txt || pom.xml -nt $OUT/test-classpath.txt ]]; then
  ./mvnw -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/test-classpath.txt" >&2
fi
rm -rf target/e2e/control-plane
java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "target/test-classes:target/classes:$(cat "$OUT/test-classpath.txt")" dev.firstordinal.e2e.ApiServerLatencyBench "$PODS" "$OUT/apiserver-results.md"

python3 - "$OUT/apiserver-results.md" bench/RESULTS.md <<'PY'
import re, sys
results, target = open(sys.argv[1]).read().strip(), sys.argv[2]
text = open(target).read()
section = "## Through the API server\n\n" + results + "\n"
if "## Through the API server" in text:
    text = re.sub(r"## Through the API server\n.*?(?=\n## |\n<!-- |\Z)", section, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + section
open(target, "w").write(text)
PY
