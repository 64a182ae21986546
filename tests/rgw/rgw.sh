#!/usr/bin/env bash
# A real S3 store for the tests: one Ceph monitor, one memstore OSD and radosgw on 127.0.0.1, all
# inside one directory, started in the foreground as background children and stopped by PID.
# Recipe and measurements: /work/shared/ceph-rgw.md (cephx, the ceph.conf keys, readiness polls).
#
#   rgw.sh start DIR [--owner PID]
#       Brings the store up in DIR (created; must not exist or be empty). On success prints
#       shell-sourceable lines RGW_ENDPOINT=http://127.0.0.1:PORT RGW_ACCESS_KEY=... RGW_SECRET_KEY=...
#       and, for the same gateway over TLS, RGW_HTTPS_ENDPOINT=https://127.0.0.1:PORT2 and
#       RGW_CA_FILE=DIR/tls/cert.pem (a self-signed certificate for 127.0.0.1) on stdout, writes
#       the same lines to DIR/env and exits 0; the bring-up time goes to stderr.
#       On failure exits non-zero with the reason and the failing daemon's log tail on stderr, kills
#       what it started and leaves DIR (logs) for inspection: `rgw.sh stop DIR` removes it.
#       --owner PID: a watchdog stops the store when process PID exits (a crashed test leaks nothing).
#   rgw.sh stop DIR
#       SIGKILLs the gateway, the OSD and the monitor (waiting for each PID to be gone) and removes
#       DIR. Refuses a DIR that was not made by `start`. Safe on a half-started or stopped DIR.
#   rgw.sh stop-gateway DIR
#       SIGKILLs only radosgw (tests of a store that goes away); `stop` still cleans up the rest.
#   rgw.sh add-user DIR UID [--no-buckets]
#       Creates another S3 user on a running store and prints its RGW_ACCESS_KEY=... and
#       RGW_SECRET_KEY=... lines. --no-buckets: the user may not create buckets (403 AccessDenied).
#
# Only processes whose command line names DIR/ceph.conf are ever signalled (PIDs can be reused).
# Ports: one block of 10 free ports below the kernel's ephemeral range, chosen under a lock file so
# concurrent harnesses never pick the same block: mon = base, rgw http = base+1, rgw https =
# base+2, OSD binds base+3..+9.
set -Eeuo pipefail

readonly RGW_NAME=hc                        # the gateway's ceph name: client.rgw.hc
readonly RGW_UID=hotcopy-test
readonly PORT_LOW=20000 PORT_HIGH=32000     # below net.ipv4.ip_local_port_range's default start
readonly PORT_BLOCK=10
readonly MON_READY_SECONDS=30 OSD_READY_SECONDS=60 RGW_READY_SECONDS=60
readonly STOP_WAIT_SECONDS=20
readonly MEMSTORE_BYTES=$((4 * 1024 * 1024 * 1024))
readonly PORT_LOCK=${TMPDIR:-/tmp}/hotcopy-rgw-ports.lock

say() { echo "rgw.sh: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# ---- process helpers ---------------------------------------------------------------------------
# A PID is ours when its command line names our ceph.conf; a zombie counts as gone (PID 1 here may
# never reap the daemons that `start` left behind when it exited).
pid_is_ours() {
    local pid=$1 state
    [ -r "/proc/$pid/cmdline" ] || return 1
    state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ "$state" != Z ] || return 1
    tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$CONF"
}

pid_of() { [ -f "$DIR/pids/$1" ] && cat "$DIR/pids/$1" || true; }

# kill_and_wait NAME: SIGKILL the daemon recorded as NAME and wait until its PID is gone.
kill_and_wait() {
    local name=$1 pid deadline
    pid=$(pid_of "$name")
    [ -n "$pid" ] || return 0
    if pid_is_ours "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        deadline=$((SECONDS + STOP_WAIT_SECONDS))
        while pid_is_ours "$pid"; do
            if [ $SECONDS -ge $deadline ]; then
                say "$name (pid $pid) still alive ${STOP_WAIT_SECONDS}s after SIGKILL"
                return 1
            fi
            sleep 0.02
        done
    fi
    rm -f "$DIR/pids/$name"
}

kill_watchdog() {
    local pid
    pid=$(pid_of watchdog)
    [ -n "$pid" ] || return 0
    # The watchdog runs `rgw.sh stop` itself when its owner exits: never kill our own parent.
    if [ "$pid" != "$PPID" ] && [ -r "/proc/$pid/cmdline" ] &&
        tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "rgw.sh"; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/pids/watchdog"
}

stop_daemons() {
    local rc=0
    kill_watchdog
    kill_and_wait radosgw || rc=1
    kill_and_wait osd || rc=1
    kill_and_wait mon || rc=1
    return $rc
}

# ---- failure reporting ---------------------------------------------------------------------------
log_tail() {
    local f
    for f in "$@"; do
        [ -s "$f" ] || continue
        echo "---- last lines of $f" >&2
        tail -n 30 "$f" >&2
    done
}

# die REASON [LOGFILE...]: report loudly, stop what was started, keep DIR for inspection.
die() {
    local reason=$1; shift
    say "FAILED: $reason"
    log_tail "$@"
    stop_daemons || true
    say "logs kept in $DIR (remove with: $0 stop $DIR)"
    exit 1
}

on_unexpected_error() {
    local rc=$? line=$1
    trap - ERR
    die "command at line $line exited with $rc" "$DIR/log/setup.log"
}

# poll_ready NAME PIDNAME SECONDS CMD...: until CMD succeeds; fails when the daemon exits or time runs out.
poll_ready() {
    local name=$1 pidname=$2 limit=$3; shift 3
    local pid start
    pid=$(pid_of "$pidname")
    start=$(now)
    while :; do
        pid_is_ours "$pid" || die "$name exited during start-up" \
            "$DIR/log/$name.out" "$DIR/log/$name.log"
        if "$@" >/dev/null 2>&1; then
            say "$name ready after $(elapsed "$start") s"
            return 0
        fi
        awk -v a="$start" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }' &&
            die "$name not ready within ${limit}s" "$DIR/log/$name.out" "$DIR/log/$name.log"
        sleep 0.05
    done
}

# ---- ports ---------------------------------------------------------------------------------------
port_listening() { [ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]; }

# Prints a base port whose PORT_BLOCK ports are unused (no socket in any state).
pick_port_block() {
    local attempt base p busy
    for attempt in $(seq 1 200); do
        base=$((PORT_LOW + RANDOM % (PORT_HIGH - PORT_LOW - PORT_BLOCK)))
        busy=0
        for p in $(seq "$base" $((base + PORT_BLOCK - 1))); do
            if port_listening "$p"; then busy=1; break; fi
        done
        [ $busy -eq 0 ] && { echo "$base"; return 0; }
    done
    return 1
}

# ---- configuration -------------------------------------------------------------------------------
write_conf() {
    cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon_host = v1:127.0.0.1:$MON_PORT
public_addr = 127.0.0.1
ms_bind_msgr2 = false
ms_bind_ipv6 = false
ms_bind_port_min = $OSD_PORT_MIN
ms_bind_port_max = $OSD_PORT_MAX
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
run_dir = $DIR/run
log_file = $DIR/log/\$name.log
mon_cluster_log_file = $DIR/log/cluster.log
keyring = $DIR/keyring
admin_socket = $DIR/run/\$name.asok
crash_dir = $DIR/crash
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
mon_data_avail_warn = 1
mon_data_avail_crit = 0

[mon]
mon_data = $DIR/mon/\$cluster-\$id
mon_initial_members = a
paxos_propose_interval = 0.05
paxos_min_wait = 0.01

[osd]
osd_data = $DIR/osd/\$cluster-\$id
osd_objectstore = memstore
memstore_device_bytes = $MEMSTORE_BYTES

[client]
admin_socket = $DIR/run/\$name.\$pid.asok

[client.rgw.$RGW_NAME]
rgw_frontends = beast endpoint=127.0.0.1:$RGW_PORT ssl_endpoint=127.0.0.1:$RGW_TLS_PORT ssl_certificate=$DIR/tls/cert.pem ssl_private_key=$DIR/tls/key.pem
rgw_data = $DIR/rgw
rgw_gc_obj_min_wait = 0
rgw_gc_processor_period = 2
EOF
}

# Random hex of N bytes (2N characters).
random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

ceph_cli() { timeout 20 ceph -c "$CONF" --connect-timeout 5 "$@"; }

# ---- start ---------------------------------------------------------------------------------------
osd_up() { ceph_cli osd stat -f json | grep -q '"num_up_osds":1'; }
rgw_answers() {
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$RGW_PORT/")" = 200 ] &&
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$DIR/tls/cert.pem" \
            "https://127.0.0.1:$RGW_TLS_PORT/")" = 200 ]
}

# A self-signed certificate for 127.0.0.1 (P-256: instant to make) for the TLS endpoint.
make_certificate() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
        -keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >&3 2>&1
    chmod 600 "$DIR/tls/key.pem"
}

# spawn NAME CMD...: run a daemon in the foreground as a background child, record its PID.
spawn() {
    local name=$1; shift
    "$@" </dev/null >"$DIR/log/$name.out" 2>&1 3>&- {lock_fd}>&- &
    echo $! >"$DIR/pids/$name"
    disown $! # stopped by PID, never by job: no "Killed" job reports on the way out
}

start_watchdog() {
    local owner=$1 self
    self=$(readlink -f "$0")
    (
        while kill -0 "$owner" 2>/dev/null; do sleep 1; done
        "$self" stop "$DIR"
    ) </dev/null >/dev/null 2>&1 3>&- &
    echo $! >"$DIR/pids/watchdog"
    disown $!
}

cmd_start() {
    local owner=${1:-} started lock_fd osd_id osd_uuid access_key secret_key
    started=$(now)
    if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR")" ]; then
        say "FAILED: $DIR exists and is not empty"
        exit 1
    fi
    mkdir -p "$DIR"/{log,run,pids,mon,osd,rgw,crash,tls}
    CONF=$DIR/ceph.conf
    trap 'on_unexpected_error $LINENO' ERR
    exec 3>>"$DIR/log/setup.log"
    # From here on, an owner that dies (even while this script is killed) takes the store along.
    if [ -n "$owner" ]; then start_watchdog "$owner"; fi

    # Ports stay reserved (by the lock) until every daemon has bound them.
    exec {lock_fd}>>"$PORT_LOCK"
    flock -w 60 "$lock_fd" || die "port lock $PORT_LOCK busy for 60s"
    local base
    base=$(pick_port_block) || die "no block of $PORT_BLOCK free ports in $PORT_LOW..$PORT_HIGH"
    MON_PORT=$base RGW_PORT=$((base + 1)) RGW_TLS_PORT=$((base + 2))
    OSD_PORT_MIN=$((base + 3)) OSD_PORT_MAX=$((base + PORT_BLOCK - 1))
    FSID=$(uuidgen)
    write_conf
    make_certificate

    # One keyring seeds the monitor with every key; each daemon finds its own entry in it.
    local kr=$DIR/keyring
    ceph-authtool --create-keyring "$kr" --gen-key -n mon. --cap mon 'allow *' >&3
    ceph-authtool "$kr" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
        --cap mgr 'allow *' --cap mds 'allow *' >&3
    ceph-authtool "$kr" --gen-key -n osd.0 --cap mon 'allow profile osd' \
        --cap mgr 'allow profile osd' --cap osd 'allow *' >&3
    ceph-authtool "$kr" --gen-key -n "client.rgw.$RGW_NAME" --cap mon 'allow rw' \
        --cap osd 'allow rwx' >&3
    chmod 600 "$kr"

    monmaptool --create --fsid "$FSID" --addv a "[v1:127.0.0.1:$MON_PORT]" "$DIR/monmap" >&3
    ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$kr" >&3 2>&1 ||
        die "ceph-mon --mkfs failed" "$DIR/log/setup.log" "$DIR/log/mon.a.log"
    spawn mon ceph-mon -c "$CONF" -i a -f
    ln -sf mon.a.log "$DIR/log/mon.log"
    poll_ready mon mon "$MON_READY_SECONDS" ceph_cli mon stat

    osd_uuid=$(uuidgen)
    osd_id=$(ceph_cli osd new "$osd_uuid" 2>>"$DIR/log/setup.log") ||
        die "ceph osd new failed" "$DIR/log/setup.log"
    [ "$osd_id" = 0 ] || die "ceph osd new gave id '$osd_id', expected 0" "$DIR/log/setup.log"
    mkdir -p "$DIR/osd/ceph-0"
    ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >&3 2>&1 ||
        die "ceph-osd --mkfs failed" "$DIR/log/setup.log" "$DIR/log/osd.0.log"
    spawn osd ceph-osd -c "$CONF" -i 0 -f
    ln -sf osd.0.log "$DIR/log/osd.log"
    poll_ready osd osd "$OSD_READY_SECONDS" osd_up

    spawn radosgw radosgw -c "$CONF" -n "client.rgw.$RGW_NAME" -f
    ln -sf "client.rgw.$RGW_NAME.log" "$DIR/log/radosgw.log"
    poll_ready radosgw radosgw "$RGW_READY_SECONDS" rgw_answers
    flock -u "$lock_fd"

    access_key=$(random_hex 10 | tr a-f A-F)
    secret_key=$(random_hex 20)
    timeout 60 radosgw-admin -c "$CONF" user create --uid="$RGW_UID" \
        --display-name="Hotcopy test user" --access-key="$access_key" \
        --secret-key="$secret_key" >>"$DIR/log/setup.log" 2>&1 ||
        die "radosgw-admin user create failed" "$DIR/log/setup.log"

    trap - ERR
    cat >"$DIR/env" <<EOF
RGW_ENDPOINT=http://127.0.0.1:$RGW_PORT
RGW_ACCESS_KEY=$access_key
RGW_SECRET_KEY=$secret_key
RGW_HTTPS_ENDPOINT=https://127.0.0.1:$RGW_TLS_PORT
RGW_CA_FILE=$DIR/tls/cert.pem
EOF
    chmod 600 "$DIR/env"
    cat "$DIR/env"
    say "store up in $(elapsed "$started") s (mon $MON_PORT, rgw $RGW_PORT, tls $RGW_TLS_PORT, dir $DIR)"
}

# ---- stop ----------------------------------------------------------------------------------------
require_harness_dir() {
    if [ ! -f "$DIR/ceph.conf" ] || [ ! -d "$DIR/pids" ]; then
        say "FAILED: $DIR is not a directory made by '$0 start'"
        exit 1
    fi
    CONF=$DIR/ceph.conf
}

cmd_stop() {
    [ -e "$DIR" ] || return 0
    require_harness_dir
    stop_daemons || { say "FAILED: a daemon did not exit; $DIR kept"; exit 1; }
    rm -rf "$DIR"
}

cmd_add_user() {
    local uid=$1 no_buckets=$2 access_key secret_key
    local -a limits=()
    require_harness_dir
    [[ $uid =~ ^[a-z0-9][a-z0-9-]{0,31}$ ]] || { say "FAILED: user id must be [a-z0-9-], 1..32"; exit 1; }
    [ "$no_buckets" = 1 ] && limits=(--max-buckets=-1)
    access_key=$(random_hex 10 | tr a-f A-F)
    secret_key=$(random_hex 20)
    if ! timeout 60 radosgw-admin -c "$CONF" user create --uid="$uid" --display-name="$uid" \
        --access-key="$access_key" --secret-key="$secret_key" "${limits[@]}" \
        >>"$DIR/log/setup.log" 2>&1; then
        say "FAILED: radosgw-admin user create $uid"
        log_tail "$DIR/log/setup.log"
        exit 1
    fi
    printf 'RGW_ACCESS_KEY=%s\nRGW_SECRET_KEY=%s\n' "$access_key" "$secret_key"
}

cmd_stop_gateway() {
    require_harness_dir
    kill_and_wait radosgw || { say "FAILED: radosgw did not exit"; exit 1; }
}

usage() {
    echo "usage: $0 start DIR [--owner PID] | stop DIR | stop-gateway DIR |" \
        "add-user DIR UID [--no-buckets]" >&2
    exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
DIR=$(realpath -m "$2")
CONF=$DIR/ceph.conf
shift 2
case $cmd in
    start)
        owner=
        if [ $# -gt 0 ]; then
            [ $# -eq 2 ] && [ "$1" = --owner ] && [[ $2 =~ ^[0-9]+$ ]] || usage
            owner=$2
        fi
        cmd_start "$owner"
        ;;
    stop) [ $# -eq 0 ] || usage; cmd_stop ;;
    stop-gateway) [ $# -eq 0 ] || usage; cmd_stop_gateway ;;
    add-user)
        [ $# -ge 1 ] && [ $# -le 2 ] || usage
        [ $# -eq 1 ] || [ "$2" = --no-buckets ] || usage
        cmd_add_user "$1" $(($# == 2))
        ;;
    *) usage ;;
esac
