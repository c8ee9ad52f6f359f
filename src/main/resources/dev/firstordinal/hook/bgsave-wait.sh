# first-ordinal hook: start a BGSAVE and wait until a fresh RDB is on disk.
# (Interim version; the hook issue replaces it with the fully tested one.)
deadline=@@DEADLINE_SECONDS@@
start=$(date +%s)
cli=redis-cli
command -v redis-cli >/dev/null 2>&1 || cli=valkey-cli
info() { "$cli" -h 127.0.0.1 INFO persistence 2>&1 | tr -d '\r'; }
field() { printf '%s\n' "$1" | sed -n "s/^$2://p"; }
before=$(field "$(info)" rdb_saves)
reply=$("$cli" -h 127.0.0.1 BGSAVE 2>&1)
case "$reply" in
  *"Background saving started"*|*"Background saving scheduled"*) ;;
  *) echo "first-ordinal hook: BGSAVE failed: $reply" >&2; exit 1 ;;
esac
while :; do
  now=$(date +%s)
  if [ $((now - start)) -ge "$deadline" ]; then echo "first-ordinal hook: gave up after ${deadline}s" >&2; exit 1; fi
  i=$(info)
  if [ "$(field "$i" rdb_bgsave_in_progress)" = 0 ] && [ "$(field "$i" rdb_saves)" != "$before" ]; then break; fi
  sleep 1
done
[ "$(field "$i" rdb_last_bgsave_status)" = ok ] || { echo "first-ordinal hook: BGSAVE failed" >&2; exit 1; }
echo "first-ordinal hook: BGSAVE finished in $(( $(date +%s) - start ))s"
