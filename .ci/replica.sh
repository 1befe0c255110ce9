#!/usr/bin/env bash
# A streaming replica of this machine's PostgreSQL cluster on port 5433, for the tests of reads on a
# replica (tests/replica/) — called by .ci/run and by the tests' fixture when 5433 does not answer.
#
# Idempotent: exits at once when 5433 already streams from the primary. Otherwise it starts the
# replica cluster, and if that does not bring a streaming standby within 30 s, it rebuilds it with
# `pg_basebackup -R` from the primary (a physical copy of every database of the cluster, then
# streaming). The primary is never restarted; it only gets a `local replication` line in pg_hba.conf
# if it has none (and a reload). Needs root (or the postgres user) and Debian's postgresql-common.
#   ADUAN_REPLICA_PRIMARY_PORT (5432), ADUAN_REPLICA_PORT (5433), ADUAN_REPLICA_CLUSTER (aduan_replica)
set -euo pipefail

PRIMARY_PORT="${ADUAN_REPLICA_PRIMARY_PORT:-5432}"
PORT="${ADUAN_REPLICA_PORT:-5433}"
NAME="${ADUAN_REPLICA_CLUSTER:-aduan_replica}"
SOCKETS=/var/run/postgresql

log() { printf '[replica] %s\n' "$*" >&2; }
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}
sql() { as_postgres psql -h "$SOCKETS" -p "$1" -d postgres -qtAc "$2" 2>/dev/null; }
streaming() { [ "$(sql "$PORT" "select count(*) from pg_stat_wal_receiver where status = 'streaming'")" = 1 ]; }
wait_streaming() {
  for _ in $(seq 1 "$1"); do streaming && return 0; sleep 1; done
  return 1
}

if streaming; then  # the usual case, without waiting for the lock
  log "port $PORT already streams from the primary"
  exit 0
fi

# One at a time (pytest-xdist workers may all find the replica down at once). The servers started
# below get `9>&-`: a daemon that inherited the lock's descriptor would hold the lock for its life.
exec 9>"/tmp/aduan-replica-$PORT.lock"
flock -w 600 9

if streaming; then
  log "port $PORT already streams from the primary"
  exit 0
fi

read -r VERSION MAIN < <(pg_lsclusters -h | awk -v p="$PRIMARY_PORT" '$3 == p {print $1, $2; exit}')
[ -n "${VERSION:-}" ] || { log "no PostgreSQL cluster on port $PRIMARY_PORT"; exit 1; }
[ "$(sql "$PRIMARY_PORT" "select 1")" = 1 ] || { log "the primary on $PRIMARY_PORT does not answer"; exit 1; }
DATA="/var/lib/postgresql/$VERSION/$NAME"

# The primary must accept replication connections over its socket (pg_basebackup, the standby).
HBA="$(sql "$PRIMARY_PORT" "show hba_file")"
if ! grep -Eq '^[[:space:]]*local[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]' "$HBA"; then
  log "allowing local replication connections in $HBA (reload, no restart)"
  printf '\n# streaming replica for the tests (.ci/replica.sh)\nlocal replication postgres peer\n' >>"$HBA"
  sql "$PRIMARY_PORT" "select pg_reload_conf()" >/dev/null
fi

if ! pg_lsclusters -h | awk '{print $1 "/" $2}' | grep -qx "$VERSION/$NAME"; then
  log "creating cluster $VERSION/$NAME on port $PORT"
  pg_createcluster "$VERSION" "$NAME" -p "$PORT" >/dev/null
  # A standby needs these at least as high as its primary's; keep the rest small.
  for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
    max_locks_per_transaction; do
    pg_conftool "$VERSION" "$NAME" set "$setting" "$(sql "$PRIMARY_PORT" "show $setting")"
  done
  pg_conftool "$VERSION" "$NAME" set shared_buffers 64MB
  pg_conftool "$VERSION" "$NAME" set hot_standby on
  pg_conftool "$VERSION" "$NAME" set hot_standby_feedback on
  FRESH=1
else
  FRESH=0
fi

if [ "$FRESH" = 0 ] && [ -f "$DATA/standby.signal" ]; then
  log "starting the replica cluster"
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start 2>/dev/null 9>&- || true
  if wait_streaming 30; then
    log "streaming on $PORT"
    exit 0
  fi
  log "the replica does not stream (fallen behind or broken): rebuilding it"
fi

pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" stop -m fast >/dev/null 2>&1 || true
find "$DATA" -mindepth 1 -delete
log "pg_basebackup from $MAIN on $PRIMARY_PORT into $DATA"
as_postgres pg_basebackup -h "$SOCKETS" -p "$PRIMARY_PORT" -U postgres -D "$DATA" -R -X stream -c fast
pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start 9>&-
if ! wait_streaming 60; then
  log "the replica did not start streaming; see /var/log/postgresql/postgresql-$VERSION-$NAME.log"
  exit 1
fi
log "streaming on $PORT"
