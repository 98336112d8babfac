#!/usr/bin/env bash
# scripts/s3-test-server-down.sh [--wipe]
# Stops the Ceph RGW test cluster that scripts/s3-test-server.sh started in S3_TEST_DIR
# (default /var/tmp/bucketgate-rgw), by its pid files only: nothing else is touched.
# Data stays for a quick restart; --wipe deletes S3_TEST_DIR as well.
set -uo pipefail
DIR="${S3_TEST_DIR:-/var/tmp/bucketgate-rgw}"
log() { echo "[s3-test-server-down] $*" >&2; }
[ -d "$DIR" ] || { log "nothing in $DIR"; exit 0; }
for n in rgw-supervisor client.rgw.a osd.0 mgr.x mon.a; do
  f="$DIR/run/$n.pid"
  [ -s "$f" ] || continue
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $n (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "$n still running after 30 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null; fi
  fi
  rm -f "$f"
done
if [ "${1:-}" = "--wipe" ]; then
  case "$DIR" in /|/var|/var/tmp|/tmp|"$HOME") log "refusing to wipe $DIR"; exit 1;; esac
  rm -rf "$DIR"; log "wiped $DIR"
fi
log "stopped"
