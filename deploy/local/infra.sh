#!/usr/bin/env bash
# Local infrastructure for gridcase without Docker: a single-node Apache Kafka broker in
# KRaft mode (jars from Maven Central, run with the JDK) and a PostgreSQL cluster from
# Debian's packages.
#
#   deploy/local/infra.sh start    start what is not already running (idempotent)
#   deploy/local/infra.sh stop     stop what this script started
#   deploy/local/infra.sh status   say what runs where
#   deploy/local/infra.sh env      print the connection settings as shell assignments
#   deploy/local/infra.sh reset [--dry-run]
#                                  stop Kafka and PostgreSQL and delete the local demo data:
#                                  Kafka's data and logs (every topic), the gridcase
#                                  database, service logs, tokens and attachments;
#                                  --dry-run prints what it would delete, deleting nothing
#
# KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL, when set, point at existing servers: the
# matching local server is then neither started nor stopped.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GRIDCASE_HOME=${GRIDCASE_HOME:-$HOME/.cache/gridcase}
KAFKA_VERSION=3.9.1
KAFKA_PORT=${GRIDCASE_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${GRIDCASE_KAFKA_CONTROLLER_PORT:-9093}
PG_PORT=${GRIDCASE_PG_PORT:-55432}
PG_CLUSTER=gridcase
PG_USER=gridcase
PG_PASSWORD=${GRIDCASE_PG_PASSWORD:-gridcase}
PG_DB=gridcase

kafka_libs=$GRIDCASE_HOME/kafka-$KAFKA_VERSION/libs
run_dir=$GRIDCASE_HOME/run
attachments_dir=${INTAKE_ATTACHMENTS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gridcase/attachments}
kafka_dir=$run_dir/kafka
pg_dir=$run_dir/pg

local_kafka=${KAFKA_BOOTSTRAP_SERVERS:-}
local_db=${DATABASE_URL:-}

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
  # Installs Debian packages when we may; otherwise says exactly what to install.
  if is_root && command -v apt-get >/dev/null; then
    log "installing $* (apt-get)"
    if [ ! -f "$run_dir/.apt-updated" ]; then
      apt-get update -qq >&2 && mkdir -p "$run_dir" && touch "$run_dir/.apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
  else
    die "missing $*: install with 'sudo apt-get install -y $*', or set the server's URL in the environment (KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL)"
  fi
}

# ---------------------------------------------------------------- PostgreSQL
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

pg_sql() {
  # Runs SQL as the cluster's superuser over the local socket.
  if is_root; then
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres -c "$1" >&2
  else
    psql -X -q -v ON_ERROR_STOP=1 -h "$pg_dir/socket" -p "$PG_PORT" -U postgres -d postgres -c "$1" >&2
  fi
}

pg_start() {
  if [ -n "$local_db" ]; then log "PostgreSQL: using DATABASE_URL from the environment"; return; fi
  [ -n "$(pg_bin)" ] || apt_install postgresql
  local bin; bin=$(pg_bin)
  local ver; ver=$(basename "$(dirname "$bin")")
  if is_root; then
    if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$ver $PG_CLUSTER"; then
      log "creating PostgreSQL $ver cluster '$PG_CLUSTER' on port $PG_PORT"
      pg_createcluster "$ver" "$PG_CLUSTER" -p "$PG_PORT" --start-conf=manual \
        -- --auth-local=peer --auth-host=scram-sha-256 >&2
    fi
    if ! pg_lsclusters -h | awk -v v="$ver" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; then
      log "starting PostgreSQL cluster '$PG_CLUSTER'"
      pg_ctlcluster "$ver" "$PG_CLUSTER" start -- -o "-c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${GRIDCASE_PG_FSYNC:-on}" >&2
    fi
  else
    # Not root: a private cluster under $GRIDCASE_HOME, run as this user.
    mkdir -p "$pg_dir/socket"
    if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
      log "initialising a private PostgreSQL $ver cluster in $pg_dir/data"
      "$bin/initdb" -D "$pg_dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    fi
    if ! "$bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
      log "starting PostgreSQL on port $PG_PORT"
      "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w start \
        -o "-p $PG_PORT -k $pg_dir/socket -c listen_addresses=127.0.0.1 -c max_connections=300" >&2
    fi
  fi
  for _ in $(seq 1 60); do port_open "$PG_PORT" && break; sleep 0.5; done
  port_open "$PG_PORT" || die "PostgreSQL did not open port $PG_PORT"
  pg_sql "DO \$\$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
              CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
            END IF;
          END \$\$;"
  if is_root; then
    exists=$(runuser -u postgres -- psql -X -tA -p "$PG_PORT" -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$PG_DB'")
  else
    exists=$(psql -X -tA -h "$pg_dir/socket" -p "$PG_PORT" -U postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$PG_DB'")
  fi
  [ "$exists" = 1 ] || pg_sql "CREATE DATABASE $PG_DB OWNER $PG_USER"
  log "PostgreSQL ready on 127.0.0.1:$PG_PORT (database $PG_DB)"
}

pg_exists() {
  # Whether the local cluster has been created (by an earlier start).
  local bin; bin=$(pg_bin); [ -n "$bin" ] || return 1
  if is_root; then
    pg_lsclusters -h 2>/dev/null | awk '{print $2}' | grep -qx "$PG_CLUSTER"
  else
    [ -f "$pg_dir/data/PG_VERSION" ]
  fi
}

pg_stop() {
  [ -z "$local_db" ] || return 0
  local bin; bin=$(pg_bin); [ -n "$bin" ] || return 0
  local ver; ver=$(basename "$(dirname "$bin")")
  if is_root; then
    if pg_lsclusters -h 2>/dev/null | awk -v v="$ver" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; then
      log "stopping PostgreSQL cluster '$PG_CLUSTER'"; pg_ctlcluster "$ver" "$PG_CLUSTER" stop >&2
    fi
  elif [ -f "$pg_dir/data/PG_VERSION" ] && "$bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
    log "stopping PostgreSQL"; "$bin/pg_ctl" -D "$pg_dir/data" -m fast stop >&2
  fi
}

# ---------------------------------------------------------------------- Kafka
kafka_jars() {
  [ -f "$kafka_libs/kafka_2.13-$KAFKA_VERSION.jar" ] && return
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  log "resolving Apache Kafka $KAFKA_VERSION from Maven Central into $kafka_libs"
  local tmp="$kafka_libs.partial"
  rm -rf "$tmp"
  mvn -B -q -Dstyle.color=never -f "$here/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >&2
  mv "$tmp" "$kafka_libs"
}

kafka_pid() { [ -f "$kafka_dir/kafka.pid" ] && kill -0 "$(cat "$kafka_dir/kafka.pid")" 2>/dev/null && cat "$kafka_dir/kafka.pid"; }

kafka_start() {
  if [ -n "$local_kafka" ]; then log "Kafka: using KAFKA_BOOTSTRAP_SERVERS from the environment"; return; fi
  if kafka_pid >/dev/null && port_open "$KAFKA_PORT"; then log "Kafka already running on 127.0.0.1:$KAFKA_PORT"; return; fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another program; set GRIDCASE_KAFKA_PORT or KAFKA_BOOTSTRAP_SERVERS"
  kafka_jars
  mkdir -p "$kafka_dir/data" "$kafka_dir/logs"
  cat > "$kafka_dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$kafka_dir/data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=33554432
log.retention.hours=168
EOF
  if [ ! -f "$kafka_dir/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$(java -cp "$kafka_libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    log "formatting Kafka storage (cluster $cluster_id)"
    java -cp "$kafka_libs/*" -Dlog4j.configuration="file:$here/kafka/log4j.properties" -Dkafka.logs.dir="$kafka_dir/logs" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$kafka_dir/server.properties" --ignore-formatted >&2
  fi
  log "starting Kafka $KAFKA_VERSION (KRaft) on 127.0.0.1:$KAFKA_PORT"
  : > "$kafka_dir/logs/server.log"
  nohup java -Xms512m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$here/kafka/log4j.properties" -Dkafka.logs.dir="$kafka_dir/logs" \
    -cp "$kafka_libs/*" kafka.Kafka "$kafka_dir/server.properties" \
    > "$kafka_dir/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$kafka_dir/kafka.pid"
  # A broker that holds many topics (or stopped uncleanly) loads its logs before it
  # answers: minutes on a small machine. Wait while it lives, up to the limit.
  local limit=${GRIDCASE_KAFKA_START_SECONDS:-300} waited=0
  while ! grep -q 'Kafka Server started' "$kafka_dir/logs/server.log" 2>/dev/null; do
    kafka_pid >/dev/null || { tail -n 30 "$kafka_dir/logs/server.log" "$kafka_dir/logs/stdout.log" >&2; die "Kafka exited during start-up"; }
    [ "$waited" -lt $((limit * 2)) ] || die "Kafka did not start within $limit s (GRIDCASE_KAFKA_START_SECONDS); see $kafka_dir/logs"
    [ "$waited" -eq 0 ] || [ $((waited % 60)) -ne 0 ] || log "Kafka still starting after $((waited / 2)) s ($(ls "$kafka_dir/data" | wc -l) log directories to load)"
    sleep 0.5
    waited=$((waited + 1))
  done
  log "Kafka ready on 127.0.0.1:$KAFKA_PORT"
}

kafka_stop() {
  [ -z "$local_kafka" ] || return 0
  local pid; pid=$(kafka_pid) || return 0
  log "stopping Kafka (pid $pid)"
  kill "$pid"
  # A clean shutdown spares the next start a recovery of every log; give it two minutes.
  for _ in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$kafka_dir/kafka.pid"
}

# ---------------------------------------------------------------------- reset
# The demo's data, and only it: Kafka's storage (topics, offsets, cluster id), the
# gridcase database, the services' logs and tokens, residents' attachments. Kept: the
# Kafka jars, the PostgreSQL cluster and its role, and servers named by
# KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL (not ours to wipe).
reset() {
  local dry=${1:-}
  [ -z "$dry" ] || [ "$dry" = --dry-run ] || die "usage: $0 reset [--dry-run]"
  remove() {
    local path
    for path in "$@"; do
      [ -e "$path" ] || continue
      if [ -n "$dry" ]; then echo "would delete $path"; else rm -rf -- "$path"; log "deleted $path"; fi
    done
  }
  if [ -n "$local_kafka" ]; then
    log "Kafka: external ($local_kafka); its topics are left alone"
  else
    if [ -n "$dry" ]; then echo "would stop Kafka (127.0.0.1:$KAFKA_PORT)"; else kafka_stop; fi
    remove "$kafka_dir/data" "$kafka_dir/logs" "$kafka_dir/server.properties"
  fi
  if [ -n "$local_db" ]; then
    log "PostgreSQL: external (DATABASE_URL); its databases are left alone"
  elif ! pg_exists; then
    log "PostgreSQL: no local cluster; nothing to drop"
  elif [ -n "$dry" ]; then
    echo "would drop database $PG_DB on 127.0.0.1:$PG_PORT (cluster $PG_CLUSTER and role $PG_USER kept)"
    echo "would stop PostgreSQL (127.0.0.1:$PG_PORT)"
  else
    pg_start
    pg_sql "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"
    log "dropped database $PG_DB"
    pg_stop
  fi
  remove "$run_dir/logs" "$run_dir/tokens.env" "$attachments_dir"
}

print_env() {
  echo "KAFKA_BOOTSTRAP_SERVERS=${local_kafka:-127.0.0.1:$KAFKA_PORT}"
  echo "DATABASE_URL=${local_db:-postgresql+asyncpg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB}"
}

case "${1:-}" in
  start) pg_start; kafka_start ;;
  stop) kafka_stop; pg_stop ;;
  status)
    if [ -n "$local_kafka" ]; then echo "kafka: external ($local_kafka)"
    elif kafka_pid >/dev/null; then echo "kafka: running on 127.0.0.1:$KAFKA_PORT (pid $(kafka_pid))"
    else echo "kafka: stopped"; fi
    if [ -n "$local_db" ]; then echo "postgres: external"
    elif port_open "$PG_PORT"; then echo "postgres: running on 127.0.0.1:$PG_PORT"
    else echo "postgres: stopped"; fi ;;
  env) print_env ;;
  reset) reset "${2:-}" ;;
  *) echo "usage: $0 start|stop|status|env|reset [--dry-run]" >&2; exit 2 ;;
esac
