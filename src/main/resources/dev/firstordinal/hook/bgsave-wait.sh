# first-ordinal pre-backup hook: make the files a restore will load hold
# every write made before the hook began, or say plainly why not.
#
# Velero runs it as ["/bin/sh","-c","<this script>"] inside the Redis
# container. The Java side strips comment-only and blank lines and replaces
# the deadline token below with a number of seconds, a little below Velero's
# hook timeout. So: POSIX sh only (dash, busybox sh, bash), no heredocs, no
# $0/$1. Uses only redis-cli (or valkey-cli), timeout when present (coreutils
# or busybox) and POSIX tools (date, sed, tr, sleep). docs/hook.md is the
# user-facing description; keep the two in step.
#
# redis-cli exits 0 on error replies: every reply is parsed, its exit code is
# never trusted (except the kill of a call that ran out of time). INFO lines
# end in \r\n: r() strips \r.
deadline=@@DEADLINE_SECONDS@@
# Velero's log lines for a hook name the container, not the pod: the line
# the hook ends with names it (HOSTNAME, which the container runtime sets to
# the pod's name).
say() {
  echo "first-ordinal hook: $*${HOSTNAME:+; pod $HOSTNAME}"
}
die() {
  say "$*" >&2
  exit 1
}
num() {
  case $1 in ''|*[!0-9]*) return 1;; esac
}
num "$deadline" || die "invalid deadline '$deadline'"
# now: $t = centiseconds from /proc/uptime (monotonic, 10 ms steps), else
# from date (whole seconds). cs C: C centiseconds as seconds, e.g. 9.25.
now() {
  t=
  read -r t _ 2>/dev/null </proc/uptime
  case $t in
    *.??) t=${t%.*}${t#*.}; t=${t#"${t%%[!0]*}"}; t=${t:-0};;
    *) t=$(($(date +%s) * 100));;
  esac
}
cs() {
  printf '%d.%02d' $(($1 / 100)) $(($1 % 100))
}
now
start=$t
end=$((start + deadline * 100))
cli=redis-cli
command -v $cli >/dev/null 2>&1 || cli=valkey-cli
command -v $cli >/dev/null 2>&1 || die "neither redis-cli nor valkey-cli found on PATH"
to=timeout
command -v $to >/dev/null 2>&1 || to=
# v NAME: $x = REDIS_NAME, else VALKEY_NAME (the Bitnami Redis and Valkey
# images' names), else empty.
v() {
  eval "x=\${REDIS_$1:-\${VALKEY_$1:-}}"
}
# Password, reaching the cli through the environment, never through -a:
# REDISCLI_AUTH, else per family (REDIS_, then VALKEY_) a readable
# *_PASSWORD_FILE, else *_PASSWORD: the images' own order (a readable file
# wins over the variable).
pw=REDISCLI_AUTH
if [ -z "${REDISCLI_AUTH:-}" ]; then
  unset REDISCLI_AUTH
  pw=none
  for fam in REDIS VALKEY; do
    eval "pf=\${${fam}_PASSWORD_FILE:-} p=\${${fam}_PASSWORD:-}"
    if [ -n "$pf" ] && [ -r "$pf" ]; then
      p=
      IFS= read -r p <"$pf" || [ -n "$p" ] || die "${fam}_PASSWORD_FILE ($pf) is empty"
      pw=${fam}_PASSWORD_FILE
    elif [ -n "$pf" ] && [ -z "$p" ]; then
      die "${fam}_PASSWORD_FILE ($pf) is not readable"
    elif [ -n "$p" ]; then pw=${fam}_PASSWORD; fi
    if [ "$pw" != none ]; then
      REDISCLI_AUTH=$p
      export REDISCLI_AUTH
      break
    fi
  done
fi
v USERNAME
user=$x
# Where: REDIS_SOCKET (or VALKEY_SOCKET), else 127.0.0.1 and a port: a
# numeric REDIS_PORT, else REDIS_PORT_NUMBER, else VALKEY_PORT_NUMBER, else
# 6379. Service links inject REDIS_PORT=tcp://ip:port for a Service named
# "redis": that is somebody else's server, so a non-numeric value counts as
# unset. With TLS the port is *_TLS_PORT_NUMBER, else REDIS_TLS_PORT, else
# 6379, as in Bitnami's images.
v SOCKET
sock=$x
port=6379
v PORT_NUMBER
if num "${REDIS_PORT:-}"; then port=$REDIS_PORT
elif num "$x"; then port=$x; fi
tls=
v TLS_ENABLED
case $x in yes|true|1)
  tls=1
  port=6379
  if num "${REDIS_TLS_PORT_NUMBER:-}"; then port=$REDIS_TLS_PORT_NUMBER
  elif num "${REDIS_TLS_PORT:-}"; then port=$REDIS_TLS_PORT
  elif num "${VALKEY_TLS_PORT_NUMBER:-}"; then port=$VALKEY_TLS_PORT_NUMBER; fi;;
esac
if [ -n "$sock" ]; then at="unix socket $sock"; tls=
else at="127.0.0.1:$port${tls:+ (TLS)}"; fi
# r CMD...: run one command within the time left before the deadline; the
# reply, stdout and stderr together and \r removed, goes to $o. A call that
# does not answer in time ends the hook, naming the call.
r() {
  what=$*
  now
  left=$((end - t))
  [ "$left" -gt 0 ] || late "time to send $what"
  [ -n "$user" ] && set -- --user "$user" "$@"
  if [ -n "$sock" ]; then set -- -s "$sock" "$@"
  else
    if [ -n "$tls" ]; then
      v TLS_KEY_FILE; [ -n "$x" ] && set -- --key "$x" "$@"
      v TLS_CERT_FILE; [ -n "$x" ] && set -- --cert "$x" "$@"
      v TLS_CA_DIR; [ -n "$x" ] && set -- --cacertdir "$x" "$@"
      v TLS_CA_FILE; [ -n "$x" ] && set -- --cacert "$x" "$@"
      set -- --tls "$@"
    fi
    set -- -h 127.0.0.1 -p "$port" "$@"
  fi
  # The braces' 2>/dev/null keeps a shell's "Terminated" (busybox sh, when a
  # cli is killed) out of the hook's one-line stderr.
  {
  if [ -n "$to" ]; then
    o=$($to -k 1 "$(cs $left)" "$cli" "$@" </dev/null 2>&1)
  else
    # No timeout command: a watchdog ends the cli once the time is up.
    o=$("$cli" "$@" </dev/null 2>&1 & p=$!
      (i=0; while [ $i -lt $(((left + 99) / 100)) ] && kill -0 $p; do sleep 1; i=$((i + 1)); done; kill $p) >/dev/null 2>&1 &
      wait $p)
  fi
  } 2>/dev/null
  case $? in 124|137|143)
    # Under 1s left while waiting: the deadline cut the call short, not a hang.
    [ "$left" -lt 100 ] && [ -n "$waiting" ] && late "$what"
    die "$what at $at: no reply within $(cs $left)s, the time left before the deadline of ${deadline}s: the server accepts connections but does not answer (busy with a long command or DEBUG SLEEP, stopped, or not Redis); $gave";;
  esac
  o=$(printf '%s\n' "$o" | tr -d '\r')
}
gave="no fresh RDB"
# late WHAT: the deadline is reached (while waiting for WHAT, or for what
# the last tick waited for).
late() {
  die "deadline of ${deadline}s reached while waiting for ${waiting:-$1}; $gave (raise pre.hook.backup.velero.io/timeout)"
}
line() {
  printf '%s\n' "$1" | tr -s ' \n' '  ' | sed 's/^ //;s/ $//'
}
# fail WHAT: die with the reason the reply $o to WHAT carries.
fail() {
  l=$(line "$o")
  case $l in
    *NOAUTH*|*WRONGPASS*|*'AUTH failed'*|*'invalid password'*)
      die "authentication failed at $at (${user:+user $user, }password from $pw): $l";;
    *SSL*|*TLS*|*certificate*)
      die "TLS connection failed at $at: $l";;
    *'Could not connect'*|*'Connection refused'*|*'No such file'*)
      die "no Redis server at $at: $l${sock:-; a server with port 0 listens only on its unix socket: set REDIS_SOCKET}";;
    *'reset by peer'*|*'closed the connection'*|*'I/O error'*)
      [ -n "$tls" ] && die "TLS connection failed at $at: the server closed the connection (does it require a client certificate, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE, or is the port not TLS?): $l"
      die "$1 failed at $at: the server closed the connection (a TLS-only port? then set REDIS_TLS_ENABLED=yes): $l";;
  esac
  die "$1 failed at $at: ${l:-no reply}"
}
# info: INFO persistence into $inf, or die with the reason.
info() {
  r INFO persistence
  inf=$o
  case $inf in *rdb_bgsave_in_progress:*) ;; *) fail "INFO persistence";; esac
}
# f NAME [TEXT]: value of one INFO field of $inf (or TEXT). n NAME: the
# same, which must be a number, into $x.
f() {
  printf '%s\n' "${2-$inf}" | sed -n "s/^$1://p"
}
n() {
  x=$(f "$@")
  num "$x" || die "INFO at $at has no numeric $1 field (got '$x')"
}
nap=0.2
# tick WHAT: die at the deadline, else sleep a little.
tick() {
  waiting=$1
  now
  [ "$t" -lt "$end" ] || late "$1"
  sleep $nap 2>/dev/null || { nap=1; sleep 1; }
}
lag=${FIRST_ORDINAL_MAX_REPLICA_LAG:-15}
num "$lag" || die "invalid FIRST_ORDINAL_MAX_REPLICA_LAG '$lag'"
# ready: wait until the server has loaded its data and, on a replica, until
# its copy of the master's data is whole and current: link up, no sync
# running, last I/O from the master at most $lag s ago. A link down for
# longer than that fails at once. Leaves INFO persistence in $inf and the
# replica's state for the final message in $rep.
ready() {
  while :; do
    info
    case $inf in *loading:1*)
      tick "the server to finish loading its data ($(f loading_loaded_perc)% loaded)"; continue;;
    esac
    r INFO replication
    case $o in *role:*) ;; *) fail "INFO replication";; esac
    rep=
    case $o in *role:slave*) ;; *) return 0;; esac
    m="$(f master_host "$o"):$(f master_port "$o")"
    if [ "$(f master_sync_in_progress "$o")" = 1 ]; then
      tick "the replica's sync from its master $m to finish (master_sync_in_progress:1)"; continue
    fi
    if [ "$(f master_link_status "$o")" != up ]; then
      d=$(f master_link_down_since_seconds "$o")
      num "$d" && [ "$d" -gt "$lag" ] && [ "$d" -lt 1000000000 ] &&
        die "replica at $at: master_link_status:down for ${d}s (bound ${lag}s), its data from master $m is stale; no backup taken from it"
      tick "the replica's link to its master $m to come up (master_link_status:down)"; continue
    fi
    n master_last_io_seconds_ago "$o"
    [ "$x" -le "$lag" ] || { tick "I/O from master $m (last ${x}s ago, bound ${lag}s)"; continue; }
    rep="; replica of $m: link up, last I/O from master ${x}s ago (bound ${lag}s)"
    return 0
  done
}
# Redis Cluster (cluster_enabled:1) spreads many shards over the pods of one
# StatefulSet: the first ordinal's files hold only the slots that one node
# serves, and a restore from them loses every other shard. Refuse, saying so.
info
r INFO cluster
case $o in
  *cluster_enabled:1*)
    die "Redis Cluster at $at (cluster_enabled:1): one StatefulSet holds many shards, so this pod's files hold only this node's slots; first-ordinal covers one shard per StatefulSet, not Redis Cluster; no backup taken (set first-ordinal.dev/skip: \"true\" on the set)";;
  *cluster_enabled:*) ;;
  *) fail "INFO cluster";;
esac
ready
# AOF on: a restore loads the AOF, not dump.rdb, so no BGSAVE (it would
# write a second copy nobody loads, and could fill the disk). Every write
# the server acknowledged is already in the AOF (fsynced per appendfsync).
# What a copy needs is no rewrite swapping the files under it: wait until
# none runs or is scheduled, and the last AOF write succeeded.
case $inf in *aof_enabled:1*)
  gave="no consistent AOF"
  while :; do
    case $inf in *aof_rewrite_in_progress:1*|*aof_rewrite_scheduled:1*)
      tick "the AOF rewrite to finish (a copy taken across a rewrite may not load)"; ready; continue;;
    esac
    break
  done
  case $inf in *aof_last_write_status:ok*) ;; *)
    die "AOF writes are failing at $at: aof_last_write_status:$(f aof_last_write_status); $gave (the Redis log says why, e.g. disk full)";;
  esac
  now
  say "appendonly is on, so a restore loads the AOF: no AOF rewrite running, aof_last_write_status:ok, no BGSAVE needed; checked in $(cs $((t - start)))s$rep"
  exit 0;;
esac
# idle WHAT: wait until no RDB save runs; leaves fresh INFO in $inf.
idle() {
  while ready; do
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
  # Redis < 7.0 has no rdb_saves: watch LASTSAVE (rdb_last_save_time), which
  # has 1 s resolution; start in a later second than the last save so that
  # ours is sure to move it.
  if [ -z "$saves0" ]; then
    n rdb_last_save_time
    last0=$x
    while [ "$(date +%s)" -le "$last0" ]; do tick "the next second"; done
  else n rdb_saves; fi
  case $inf in *aof_rewrite_in_progress:1*) cmd='BGSAVE SCHEDULE';; esac
  r $cmd
  case $o in
    *'Background saving started'*) seen=1; break;;
    *'Background saving scheduled'*) seen=; break;;
    *'already in progress'*) why="a save somebody else started just before ours to end";;
    *'BGSAVE SCHEDULE'*) cmd='BGSAVE SCHEDULE';;
    *LOADING*) ;;
    *) fail "$cmd";;
  esac
done
# Wait for OUR save to end. From 7.0 only rdb_saves moving past the value
# read before BGSAVE proves it ran: rdb_bgsave_in_progress:1 is also set by
# a diskless replication transfer, which writes no dump.rdb and leaves
# rdb_saves alone. Before 7.0: LASTSAVE moved (we asked in a later second
# than the last save), or a save we saw running ended in an error.
while :; do
  info
  case $inf in *rdb_bgsave_in_progress:1*) busy=1;; *) busy=;; esac
  if [ -n "$saves0" ]; then
    n rdb_saves
    if [ "$x" -gt "$saves0" ]; then
      [ -z "$busy" ] && break
      tick "our BGSAVE to finish"
    else
      tick "our scheduled BGSAVE to start (after the running AOF rewrite, save or replication transfer)"
    fi
    continue
  fi
  [ -n "$busy" ] && { seen=1; tick "our BGSAVE to finish"; continue; }
  n rdb_last_save_time
  [ "$x" -gt "$last0" ] && break
  [ -n "$seen" ] && case $inf in *rdb_last_bgsave_status:err*) break;; esac
  tick "our BGSAVE to start (scheduled after the running AOF rewrite)"
done
case $inf in
  *rdb_last_bgsave_status:ok*) ;;
  *) die "BGSAVE failed at $at: rdb_last_bgsave_status:$(f rdb_last_bgsave_status), no fresh RDB (the Redis log says why, e.g. disk full or dir not writable)";;
esac
now
msg="BGSAVE finished in $(cs $((t - start)))s, RDB saved at $(f rdb_last_save_time)"
[ -n "$saves0" ] && msg="$msg (rdb_saves $(f rdb_saves))"
say "$msg$rep"
