# first-ordinal pre-backup hook: start a BGSAVE and wait until a fresh RDB,
# holding every write made before the hook began, is on disk.
#
# Velero runs it as ["/bin/sh","-c","<this script>"] inside the Redis
# container. The Java side strips comment-only and blank lines and replaces
# the deadline token below with a number of seconds, a little below Velero's
# hook timeout. So: POSIX sh only (dash, busybox sh), no heredocs, no $0/$1.
# Uses only redis-cli (or valkey-cli) and POSIX tools (date, sed, tr, sleep).
#
# redis-cli exits 0 on error replies: every reply is parsed, its exit code is
# never trusted. INFO lines end in \r\n: r() strips \r.
deadline=@@DEADLINE_SECONDS@@
start=$(date +%s)
die() {
  echo "first-ordinal hook: $*" >&2
  exit 1
}
num() {
  case $1 in ''|*[!0-9]*) return 1;; esac
}
num "$deadline" || die "invalid deadline '$deadline'"
end=$((start + deadline))
cli=redis-cli
command -v $cli >/dev/null 2>&1 || cli=valkey-cli
command -v $cli >/dev/null 2>&1 || die "neither redis-cli nor valkey-cli found on PATH"
# Password: REDISCLI_AUTH, else REDIS_PASSWORD (Bitnami), else none. It
# reaches the cli through the environment, never through -a.
pw=REDISCLI_AUTH
if [ -z "${REDISCLI_AUTH:-}" ]; then
  unset REDISCLI_AUTH
  pw=none
  if [ -n "${REDIS_PASSWORD:-}" ]; then
    REDISCLI_AUTH=$REDIS_PASSWORD
    export REDISCLI_AUTH
    pw=REDIS_PASSWORD
  fi
fi
# Port: a numeric REDIS_PORT, else REDIS_PORT_NUMBER (Bitnami), else 6379.
# Service links inject REDIS_PORT=tcp://ip:port for a Service named "redis":
# that is somebody else's server, so a non-numeric value counts as unset.
port=6379
if num "${REDIS_PORT:-}"; then port=$REDIS_PORT
elif num "${REDIS_PORT_NUMBER:-}"; then port=$REDIS_PORT_NUMBER; fi
tls=
case ${REDIS_TLS_ENABLED:-} in yes|true|1)
  tls=1
  if num "${REDIS_TLS_PORT:-}"; then port=$REDIS_TLS_PORT
  elif num "${REDIS_TLS_PORT_NUMBER:-}"; then port=$REDIS_TLS_PORT_NUMBER; fi;;
esac
at="127.0.0.1:$port${tls:+ (TLS)}"
# r CMD...: run one command; stdout and stderr together, \r removed.
r() {
  if [ -n "$tls" ]; then
    [ -n "${REDIS_TLS_KEY_FILE:-}" ] && set -- --key "$REDIS_TLS_KEY_FILE" "$@"
    [ -n "${REDIS_TLS_CERT_FILE:-}" ] && set -- --cert "$REDIS_TLS_CERT_FILE" "$@"
    [ -n "${REDIS_TLS_CA_FILE:-}" ] && set -- --cacert "$REDIS_TLS_CA_FILE" "$@"
    set -- --tls "$@"
  fi
  "$cli" -h 127.0.0.1 -p "$port" "$@" </dev/null 2>&1 | tr -d '\r'
}
line() {
  printf '%s\n' "$1" | tr -s ' \n' '  ' | sed 's/^ //;s/ $//'
}
# info: INFO persistence into $inf, or die with the reason.
info() {
  inf=$(r INFO persistence)
  case $inf in *rdb_bgsave_in_progress:*) return 0;; esac
  o=$(line "$inf")
  case $o in
    *NOAUTH*|*WRONGPASS*|*'AUTH failed'*|*'invalid password'*)
      die "authentication failed at $at (password from $pw): $o";;
    *SSL*|*TLS*)
      die "TLS connection failed at $at: $o";;
    *'Could not connect'*|*'Connection refused'*)
      die "no Redis server at $at: $o";;
  esac
  die "INFO persistence failed at $at: ${o:-no reply}"
}
# f NAME: value of one INFO field.
f() {
  printf '%s\n' "$inf" | sed -n "s/^$1://p"
}
nap=0.2
# tick WHAT: die at the deadline, else sleep a little.
tick() {
  [ "$(date +%s)" -lt "$end" ] || die "deadline of ${deadline}s reached while waiting for $1; no fresh RDB (raise pre.hook.backup.velero.io/timeout)"
  sleep $nap 2>/dev/null || { nap=1; sleep 1; }
}
# idle WHAT: wait until no RDB save runs; leaves fresh INFO in $inf.
idle() {
  while info; do
    case $inf in *rdb_bgsave_in_progress:1*) tick "$1";; *) return 0;; esac
  done
}
# A save that is already running forked before the latest writes: it does
# not hold them. Let it end, then start our own.
why="a save that was already running (it does not hold the latest writes) to end"
cmd=BGSAVE
while :; do
  idle "$why"
  saves0=$(f rdb_saves)
  last0=$(f rdb_last_save_time)
  # Redis < 7.0 has no rdb_saves: watch LASTSAVE (rdb_last_save_time), which
  # has 1 s resolution; start in a later second than the last save so that
  # ours is sure to move it.
  if [ -z "$saves0" ]; then
    num "$last0" || die "INFO persistence at $at has neither rdb_saves nor rdb_last_save_time"
    while [ "$(date +%s)" -le "$last0" ]; do tick "the next second"; done
  fi
  case $inf in *aof_rewrite_in_progress:1*) cmd='BGSAVE SCHEDULE';; esac
  o=$(r $cmd)
  case $o in
    *'Background saving started'*) seen=1; break;;
    *'Background saving scheduled'*) seen=; break;;
    *'already in progress'*) why="a save somebody else started just before ours to end";;
    *'BGSAVE SCHEDULE'*) cmd='BGSAVE SCHEDULE';;
    *) die "$cmd failed at $at: $(line "${o:-no reply}")";;
  esac
done
# Wait for OUR save to end: no save runs any more, and ours has run. It has
# when "started" was the reply, or a save was seen running since our
# request, or rdb_saves (LASTSAVE before 7.0) moved past the value read
# before BGSAVE: a scheduled save starts only when the AOF rewrite ends.
while :; do
  info
  case $inf in
    *rdb_bgsave_in_progress:1*) seen=1; tick "our BGSAVE to finish"; continue;;
  esac
  [ -n "$seen" ] && break
  if [ -n "$saves0" ]; then
    [ "$(f rdb_saves)" -gt "$saves0" ] && break
  else
    [ "$(f rdb_last_save_time)" -gt "$last0" ] && break
  fi
  tick "our BGSAVE to start (scheduled after the AOF rewrite)"
done
case $inf in
  *rdb_last_bgsave_status:ok*) ;;
  *) die "BGSAVE failed at $at: rdb_last_bgsave_status:$(f rdb_last_bgsave_status), no fresh RDB (the Redis log says why, e.g. disk full or dir not writable)";;
esac
msg="first-ordinal hook: BGSAVE finished in $(($(date +%s) - start))s, RDB saved at $(f rdb_last_save_time)"
[ -n "$saves0" ] && msg="$msg (rdb_saves $(f rdb_saves))"
case $inf in
  *aof_enabled:1*) msg="$msg; note: appendonly is on, so a restore loads the AOF, not this RDB";;
esac
echo "$msg"
