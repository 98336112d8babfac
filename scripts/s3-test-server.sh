#!/usr/bin/env bash
# scripts/s3-test-server.sh [PORT]
#
# Stands up the real, signature-checking S3 server that bucketgate's integration and e2e tests use:
# Ceph RGW from Debian packages, single node (one mon, one OSD with bluestore on a sparse file, pool size 1,
# ceph-mgr only with S3_TEST_MGR=1), beast frontend on 127.0.0.1:PORT (default 8000), cephx auth.
#
# Idempotent. It first asks PORT for a signed ListBuckets with the test credentials below: if an S3 server
# there accepts them, it is reused as it is (whoever started it) and nothing else happens. Otherwise it
# installs the Debian packages when missing, bootstraps a cluster under S3_TEST_DIR once, starts the daemons
# that are not running, and creates the test users.
#
# Prints, on stdout:  endpoint=…  access_key=…  secret_key=…  alt_access_key=…  alt_secret_key=…  region=…
# and                 state=reused | state=started   (started = this run started daemons; stop them with
#                                                      scripts/s3-test-server-down.sh)
# Progress goes to stderr.
#
# Env:
#   S3_TEST_DIR        data, config, logs, pid files          (default /var/tmp/bucketgate-rgw)
#   S3_TEST_MON_PORT   mon msgr2 port; msgr1 = +1              (default 13400 + 2*(PORT % 1000): two clusters on
#                                                               different S3 ports never share mon ports)
#   S3_TEST_STORE_GB   size of the sparse bluestore file, GB   (default 20; only written blocks use disk)
#   S3_TEST_MGR=1      also run ceph-mgr (not needed by RGW)
#
# Test credentials (the well-known Ceph vstart / s3-tests sample keys; test use only):
#   main 0555b35654ad1656d804 / h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==
#   alt  NOPQRSTUVWXYZABCDEFG / nopqrstuvwxyzabcdefghijklmnabcdefghijklm
set -euo pipefail

PORT="${1:-${S3_TEST_PORT:-8000}}"
DIR="${S3_TEST_DIR:-/var/tmp/bucketgate-rgw}"
MON_PORT="${S3_TEST_MON_PORT:-$((13400 + 2 * (PORT % 1000)))}"
STORE_GB="${S3_TEST_STORE_GB:-20}"
HERE="$(cd "$(dirname "$0")" && pwd)"
CONF="$DIR/ceph.conf"

MAIN_AK=0555b35654ad1656d804; MAIN_SK='h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q=='
ALT_AK=NOPQRSTUVWXYZABCDEFG;  ALT_SK=nopqrstuvwxyzabcdefghijklmnabcdefghijklm

log() { echo "[s3-test-server] $*" >&2; }
die() { echo "[s3-test-server] ERROR: $*" >&2; exit 1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "$PORT" in ''|*[!0-9]*) die "PORT must be a number (got '$PORT')";; esac

print_info() {
  cat <<EOF
endpoint=http://127.0.0.1:$PORT
access_key=$MAIN_AK
secret_key=$MAIN_SK
alt_access_key=$ALT_AK
alt_secret_key=$ALT_SK
region=us-east-1
state=$1
EOF
}

apt_install() {
  [ "$(id -u)" = 0 ] || die "need Debian packages $* but not root: run  sudo apt-get install -y --no-install-recommends $*"
  command -v apt-get >/dev/null || die "need Debian packages $* but apt-get is missing: install Ceph RGW by hand"
  log "installing Debian packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq || die "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >&2 \
    || die "apt-get install $* failed (Debian 12 bookworm ships Ceph 16 with these names)"
}

command -v curl >/dev/null || apt_install curl ca-certificates

# HTTP status of a SigV4-signed ListBuckets at PORT with the given key pair ("000" = nothing answers).
list_buckets_status() {
  curl -s -o /dev/null -w "%{http_code}" --max-time 10 --aws-sigv4 "aws:amz:us-east-1:s3" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    --user "$1:$2" "http://127.0.0.1:$PORT/" 2>/dev/null || true
}
creds_ok() {
  [ "$(list_buckets_status "$MAIN_AK" "$MAIN_SK")" = 200 ] && [ "$(list_buckets_status "$ALT_AK" "$ALT_SK")" = 200 ]
}

# ---- 1. an S3 server that takes the test credentials already answers: reuse it ----------------------
if creds_ok; then
  log "an S3 server on 127.0.0.1:$PORT accepts the test credentials: reusing it"
  print_info reused
  exit 0
fi

# ---- 2. packages -------------------------------------------------------------------------------------
need=()
for pair in ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw radosgw-admin:ceph-common ceph-authtool:ceph-common \
            monmaptool:ceph-base; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if [ "${S3_TEST_MGR:-0}" = 1 ] && ! command -v ceph-mgr >/dev/null; then need+=(ceph-mgr); fi
if [ ${#need[@]} -gt 0 ]; then apt_install $(printf '%s\n' "${need[@]}" | sort -u); fi

mkdir -p "$DIR"
# one bootstrap at a time for this directory
exec 9>"$DIR/.lock"
flock -w 600 9 || die "another s3-test-server.sh holds $DIR/.lock"
if creds_ok; then log "started meanwhile by another run: reusing it"; print_info reused; exit 0; fi

if alive "$DIR/run/rgw-supervisor.pid"; then
  OLDPORT="$(cat "$DIR/rgw.port" 2>/dev/null || echo '?')"
  [ "$OLDPORT" = "$PORT" ] || die "the RGW of $DIR already runs on port $OLDPORT (asked for $PORT): stop it with S3_TEST_DIR=$DIR $HERE/s3-test-server-down.sh, or use another S3_TEST_DIR"
fi
if ! alive "$DIR/run/rgw-supervisor.pid" && port_busy "$PORT"; then
  die "127.0.0.1:$PORT is taken by something that does not accept the test credentials; pick another port: $0 <PORT>"
fi

CEPH=(ceph -c "$CONF" --connect-timeout 20)
RA=(radosgw-admin -c "$CONF" -n client.admin)

# ---- 3. one-time bootstrap ---------------------------------------------------------------------------
if [ ! -f "$DIR/bootstrapped" ]; then
  # a half-finished earlier bootstrap: stop whatever it left running, start over
  if [ -d "$DIR/run" ]; then S3_TEST_DIR="$DIR" "$HERE/s3-test-server-down.sh" >/dev/null 2>&1 || true; fi
  rm -rf "$DIR"/{mon,mgr,osd,run,log,crash,tmp} "$DIR"/{keyring,monmap,fsid,ceph.conf,rgw.port,osd-ready,users-ok}
  for p in "$MON_PORT" "$((MON_PORT + 1))"; do
    port_busy "$p" && die "mon port 127.0.0.1:$p is in use (another Ceph cluster?): set S3_TEST_MON_PORT to a free even port"
  done
  log "bootstrapping a single-node Ceph cluster in $DIR (mon ports $MON_PORT/$((MON_PORT + 1)))"
  mkdir -p "$DIR"/{run,log,mon,osd,crash,tmp}
  FSID="$(cat /proc/sys/kernel/random/uuid)"
  cat >"$CONF" <<EOF
# written by bucketgate scripts/s3-test-server.sh: a throw-away single-node cluster for tests
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$((MON_PORT + 1))]
mon initial members = a
public addr = 127.0.0.1
public network = 127.0.0.0/8
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
crash dir = $DIR/crash
log to stderr = false
err to stderr = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon data avail warn = 2
mon data avail crit = 1
ms bind ipv6 = false

[mon]
mon data = $DIR/mon/\$name

[mgr]
mgr data = $DIR/mgr/\$name

[osd]
osd data = $DIR/osd/\$name
osd objectstore = bluestore
bluestore block path = $DIR/osd/\$name/block.file
bluestore block create = true
bluestore block size = $((STORE_GB * 1024 * 1024 * 1024))
bluestore block db create = false
bluestore block wal create = false
osd memory target = 939524096
bluestore cache autotune = true
osd op num shards = 2
osd op num threads per shard = 2

EOF
  KR="$DIR/keyring"
  ceph-authtool --create-keyring "$KR" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  for n in client.admin mgr.x osd.0 client.rgw.a; do
    ceph-authtool "$KR" --gen-key -n "$n" --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  done
  monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$((MON_PORT + 1))]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$KR" >"$DIR/log/mon-mkfs.log" 2>&1 \
    || die "ceph-mon --mkfs failed; see $DIR/log/mon-mkfs.log"
  echo "$FSID" >"$DIR/fsid"
  touch "$DIR/bootstrapped"
fi
# radosgw's section is rewritten on every run (the port may change; settings stay the same as on a new cluster)
sed -i '/^\[client\.rgw\.a\]/,$d' "$CONF"
cat >>"$CONF" <<EOF
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT
# RGW 16 needs a DNS name to tell virtual-host from path-style requests
rgw dns name = localhost
rgw enable ops log = false
rgw thread pool size = 64
# STS on, as in common Ceph deployments: RGW then answers AccessDenied (not SignatureDoesNotMatch) to a wrong secret
rgw sts key = abcdefghijklmnop
rgw s3 auth use sts = true
# server-side encryption (SSE-C, SSE-KMS with test keys) over plain http, for tests only
rgw crypt require ssl = false
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = testkey-1=YmluCmJvb3N0CmJvb3N0LWJ1aWxkCmNlcGguY29uZgo= testkey-2=aWIKTWFrZWZpbGUKbWFuCm91dApzcmMKVGVzdGluZwo=
rgw lc debug interval = 10
rgw gc obj min wait = 30
rgw gc processor period = 30
rgw gc processor max time = 30
EOF
MON_PORT="$(sed -n 's/^mon host = \[v2:127.0.0.1:\([0-9]*\),.*/\1/p' "$CONF")"

STARTED=0
# ---- 4. daemons (each only when not running) ----------------------------------------------------------
if ! alive "$DIR/run/mon.a.pid"; then
  port_busy "$MON_PORT" && die "mon port 127.0.0.1:$MON_PORT is in use by another process"
  log "starting ceph-mon (127.0.0.1:$MON_PORT)"
  ceph-mon -c "$CONF" -i a 9>&-
  STARTED=1
fi
for _ in $(seq 60); do "${CEPH[@]}" mon stat >/dev/null 2>&1 && break; sleep 1; done
"${CEPH[@]}" mon stat >/dev/null 2>&1 || die "ceph-mon did not answer; see $DIR/log/mon.a.log"

if [ "${S3_TEST_MGR:-0}" = 1 ] && ! alive "$DIR/run/mgr.x.pid"; then
  mkdir -p "$DIR/mgr/mgr.x"
  log "starting ceph-mgr"
  ceph-mgr -c "$CONF" -i x 9>&-
  STARTED=1
fi

if [ ! -f "$DIR/osd-ready" ]; then
  log "creating the OSD (bluestore on a ${STORE_GB} GB sparse file)"
  rm -rf "$DIR/osd/osd.0"; mkdir -p "$DIR/osd/osd.0"
  OSD_UUID="$(cat /proc/sys/kernel/random/uuid)"
  ID="$("${CEPH[@]}" osd new "$OSD_UUID")"
  [ "$ID" = 0 ] || die "unexpected OSD id '$ID' (expected 0): wipe $DIR and retry"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >"$DIR/log/osd-mkfs.log" 2>&1 \
    || die "ceph-osd --mkfs failed; see $DIR/log/osd-mkfs.log"
fi
if ! alive "$DIR/run/osd.0.pid"; then
  log "starting ceph-osd"
  ceph-osd -c "$CONF" -i 0 9>&-
  STARTED=1
fi
for _ in $(seq 120); do "${CEPH[@]}" osd stat 2>/dev/null | grep -q "1 up" && break; sleep 1; done
"${CEPH[@]}" osd stat 2>/dev/null | grep -q "1 up" || die "the OSD did not come up; see $DIR/log/osd.0.log"

if [ ! -f "$DIR/osd-ready" ]; then
  # RGW's pools, created up front with few PGs and one replica
  for pool in .rgw.root default.rgw.control default.rgw.meta default.rgw.log \
              default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec; do
    "${CEPH[@]}" osd pool create "$pool" 8 8 >/dev/null 2>&1 || true
    "${CEPH[@]}" osd pool set "$pool" size 1 --yes-i-really-mean-it >/dev/null 2>&1 || true
    "${CEPH[@]}" osd pool application enable "$pool" rgw >/dev/null 2>&1 || true
  done
  touch "$DIR/osd-ready"
fi

echo "$PORT" >"$DIR/rgw.port"
if ! alive "$DIR/run/rgw-supervisor.pid"; then
  log "starting radosgw on 127.0.0.1:$PORT (a supervisor restarts it if it aborts; see log/rgw-restarts.log)"
  # RGW 16 aborts on a few unusual requests; the supervisor keeps a long test run going.
  nohup setsid bash -c '
    conf="$1"; dir="$2"
    trap "kill -TERM \$child 2>/dev/null; wait \$child; exit 0" TERM INT
    while :; do
      radosgw -c "$conf" -n client.rgw.a -f >>"$dir/log/rgw.stdout" 2>&1 & child=$!
      wait $child; rc=$?
      echo "$(date -Is) radosgw exited rc=$rc, restarting" >>"$dir/log/rgw-restarts.log"
      sleep 1
    done' bucketgate-rgw-supervisor "$CONF" "$DIR" >/dev/null 2>&1 </dev/null 9>&- &
  echo $! >"$DIR/run/rgw-supervisor.pid"
  STARTED=1
fi
code=000
for _ in $(seq 120); do
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/" || true)"
  [ -n "$code" ] && [ "$code" != 000 ] && break
  sleep 1
done
[ "$code" != 000 ] || die "radosgw does not answer on 127.0.0.1:$PORT; see $DIR/log/client.rgw.a.log"

# ---- 5. test users -----------------------------------------------------------------------------------
if [ ! -f "$DIR/users-ok" ]; then
  ensure_user() { # uid display-name access secret
    if ! "${RA[@]}" user info --uid="$1" >/dev/null 2>&1; then
      "${RA[@]}" user create --uid="$1" --display-name="$2" --access-key="$3" --secret-key="$4" >/dev/null \
        || die "radosgw-admin user create $1 failed"
    fi
  }
  log "creating the test users"
  ensure_user testid 'M. Tester' "$MAIN_AK" "$MAIN_SK"
  ensure_user 56789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234 john.doe "$ALT_AK" "$ALT_SK"
  touch "$DIR/users-ok"
fi

for _ in $(seq 30); do creds_ok && break; sleep 1; done
creds_ok || die "RGW on 127.0.0.1:$PORT answers but rejects the test credentials; see $DIR/log/client.rgw.a.log"
log "up on http://127.0.0.1:$PORT (data and logs in $DIR)"
if [ "$STARTED" = 1 ]; then print_info started; else print_info reused; fi
