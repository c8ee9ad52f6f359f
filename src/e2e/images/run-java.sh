#!/bin/sh
# Test images only: a stand-in for the UBI OpenJDK runtime's /opt/jboss/container/java/run/run-java.sh, which
# Dockerfile.jvm's ENTRYPOINT names. It composes the JVM's options from the same variables, in the same order:
#   JAVA_OPTS, then -XX:MaxRAMPercentage from JAVA_MAX_MEM_RATIO (default 80; 0 leaves it out),
#   -XX:InitialRAMPercentage from JAVA_INITIAL_MEM_RATIO (when set), GC_CONTAINER_OPTIONS (default
#   -XX:+UseParallelGC), -XX:+ExitOnOutOfMemoryError, then JAVA_OPTS_APPEND;
# and runs `java <options> -jar $JAVA_APP_JAR <arguments>` from JAVA_APP_DIR (default /deployments).
set -eu

options="${JAVA_OPTS:-}"
ratio="${JAVA_MAX_MEM_RATIO:-80}"
if [ "$ratio" != "0" ]; then
  options="$options -XX:MaxRAMPercentage=$ratio"
fi
if [ -n "${JAVA_INITIAL_MEM_RATIO:-}" ]; then
  options="$options -XX:InitialRAMPercentage=$JAVA_INITIAL_MEM_RATIO"
fi
options="$options ${GC_CONTAINER_OPTIONS:--XX:+UseParallelGC} -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS_APPEND:-}"

cd "${JAVA_APP_DIR:-/deployments}"
[ -n "${JAVA_APP_JAR:-}" ] || { echo "run-java.sh: JAVA_APP_JAR is not set" >&2; exit 1; }
echo "INFO exec java $options -jar $JAVA_APP_JAR $*" >&2
# shellcheck disable=SC2086 # the options are a word list, as in UBI's script
exec java $options -jar "$JAVA_APP_JAR" "$@"
