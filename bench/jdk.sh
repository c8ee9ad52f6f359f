# Sourced by the bench scripts: which JDKs to run.
#   JAVA           the JDK under test (25+): BENCH_JAVA, else $JAVA_HOME/bin/java, else java on PATH, else the newest
#                  JDK 25+ under /usr/lib/jvm (as ./mvnw finds it)
#   BASELINE_JAVA  JDK 17 for the same-run baseline: BENCH_BASELINE_JAVA, else java on PATH or under /usr/lib/jvm;
#                  empty when there is none (BENCH_BASELINE_JAVA=none skips it)
java_feature() { "$1" -version 2>&1 | sed -n '1s/^[^"]*"\([0-9][0-9]*\).*/\1/p'; }
_jdk_candidates() {
    [ -n "${JAVA_HOME:-}" ] && echo "$JAVA_HOME/bin/java"
    command -v java 2>/dev/null || true
    for home in /usr/lib/jvm/*/; do [ -x "${home}bin/java" ] && echo "${home}bin/java"; done
}
_find_java() {  # _find_java <min> <max>: the first candidate whose feature release is in [min, max], newest first
    local java v best="" best_v=0
    while read -r java; do
        v=$(java_feature "$java" 2>/dev/null); [ -n "$v" ] || continue
        if [ "$v" -ge "$1" ] && [ "$v" -le "$2" ] && [ "$v" -gt "$best_v" ]; then best=$java; best_v=$v; fi
    done < <(_jdk_candidates)
    echo "$best"
}
JAVA=${BENCH_JAVA:-$(_find_java 25 999)}
[ -n "$JAVA" ] || { echo "bench: no JDK 25+ found (set BENCH_JAVA or JAVA_HOME)" >&2; exit 2; }
case ${BENCH_BASELINE_JAVA:-} in
    none) BASELINE_JAVA="" ;;
    "") BASELINE_JAVA=$(_find_java 17 17) ;;
    *) BASELINE_JAVA=$BENCH_BASELINE_JAVA ;;
esac
