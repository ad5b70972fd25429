#!/usr/bin/env bash
# Soak: `vela serve` under a steady mixed load for an hour, to show that nothing grows.
#
# One stream, published over RTMP by ffmpeg (360p30 x264 + AAC) in cycles of CYCLE_S seconds:
# the publisher disconnects at the end of each cycle and reconnects GAP_S seconds later, as
# an encoder that restarts. While it is live, each cycle has
#   - HLS_CLIENTS LL-HLS clients (`vela bench hls-load`: blocking reloads + parts),
#   - WHEP_VIEWERS WebRTC viewers (`vela bench whep-load`: ICE, DTLS, SRTP, RTCP),
#   - one SRT viewer (ffmpeg, m=request),
#   - a restream of the stream back into the same server under another name (set once
#     through the API; pushed again by Vela at every publish).
# Viewers join each cycle anew, as players do after a stream comes back.
#
# Every SAMPLE_S seconds it records vela's RSS, open file descriptors, threads, the number of
# metric series in /metrics, and the streams listed by the API (OUT_DIR/samples.csv). The
# summary compares the samples taken in the same phase of each cycle (just before the
# publisher leaves, when every client is connected) after WARMUP_S: growth of RSS beyond
# RSS_SLACK_PCT, or any growth of descriptors or series between the first and the last
# cycle after warm-up, is reported as growth and the script exits 1.
#
# Usage: bench/soak/run.sh
# Environment (defaults): DURATION_S=3600  CYCLE_S=240  GAP_S=5  SAMPLE_S=60  WARMUP_S=600
#   HLS_CLIENTS=100  WHEP_VIEWERS=20  RSS_SLACK_PCT=5  VELA_BIN=build/release/vela
#   OUT_DIR=/tmp/vela-soak.XXXX  KEEP_TMP=0
# Loopback only; every process it starts is stopped by PID on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DURATION_S="${DURATION_S:-3600}"
CYCLE_S="${CYCLE_S:-240}"
GAP_S="${GAP_S:-5}"
SAMPLE_S="${SAMPLE_S:-60}"
WARMUP_S="${WARMUP_S:-600}"
HLS_CLIENTS="${HLS_CLIENTS:-100}"
WHEP_VIEWERS="${WHEP_VIEWERS:-20}"
RSS_SLACK_PCT="${RSS_SLACK_PCT:-5}"
VELA_BIN="${VELA_BIN:-$ROOT/build/release/vela}"
OUT_DIR="${OUT_DIR:-$(mktemp -d /tmp/vela-soak.XXXXXX)}"
KEEP_TMP="${KEEP_TMP:-0}"
STREAM=soak

log() { printf '[soak %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in ffmpeg curl python3 node; do command -v $tool >/dev/null || die "$tool is needed"; done
[[ -x $VELA_BIN ]] || die "no vela binary at $VELA_BIN (build it: make build)"
((CYCLE_S > 30)) || die "CYCLE_S must be over 30 s"
mkdir -p "$OUT_DIR"
TMP="$(mktemp -d /tmp/vela-soak-tmp.XXXXXX)"
# shellcheck source=../lib/processes.sh
source "$HERE/../lib/processes.sh"
# A copy of its own, so that a rebuild during the hour cannot swap the binary under the run.
cp "$VELA_BIN" "$TMP/vela"
VELA_BIN="$TMP/vela"

read -r HTTP_PORT RTMP_PORT SRT_PORT WEBRTC_PORT < <(free_ports 4)
BASE="http://127.0.0.1:$HTTP_PORT"
"$VELA_BIN" serve --set "http.listen=127.0.0.1:$HTTP_PORT" --set "rtmp.listen=127.0.0.1:$RTMP_PORT" \
  --set "srt.listen=127.0.0.1:$SRT_PORT" --set "webrtc.listen=127.0.0.1:$WEBRTC_PORT" \
  --set "storage.data_dir=$TMP/data" >"$OUT_DIR/vela.log" 2>&1 &
VELA=$!
remember "$VELA" "vela serve"
wait_http "$BASE/healthz" 20 || { tail "$OUT_DIR/vela.log" >&2; die "vela did not start"; }
log "vela pid $VELA on http $HTTP_PORT; results in $OUT_DIR"

curl -fsS -o /dev/null -X POST -H 'content-type: application/json' \
  -d "{\"url\":\"rtmp://127.0.0.1:$RTMP_PORT/live/$STREAM-copy\"}" "$BASE/api/v1/streams/$STREAM/restreams" ||
  die "could not add the restream"

sample() { # phase
  local rss fds threads series streams
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$VELA/status")
  threads=$(awk '/Threads/ {print $2}' "/proc/$VELA/status")
  fds=$(find "/proc/$VELA/fd" -mindepth 1 -maxdepth 1 | wc -l)
  series=$(curl -fsS --max-time 5 "$BASE/metrics" | grep -vc '^#' || true)
  streams=$(curl -fsS --max-time 5 "$BASE/api/v1/streams" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["streams"]))' || echo -1)
  echo "$SECONDS,$1,$rss,$fds,$threads,$series,$streams" >>"$OUT_DIR/samples.csv"
}
echo "t_s,phase,rss_kb,fds,threads,metric_series,streams" >"$OUT_DIR/samples.csv"

SECONDS=0
cycle=0
next_sample=0
sample idle
while ((SECONDS + CYCLE_S <= DURATION_S)); do
  cycle=$((cycle + 1))
  ffmpeg -hide_banner -nostdin -loglevel error -re -f lavfi -i testsrc2=size=640x360:rate=30 \
    -re -f lavfi -i sine=frequency=440:sample_rate=48000 -t "$CYCLE_S" \
    -c:v libx264 -preset veryfast -tune zerolatency -g 60 -pix_fmt yuv420p -c:a aac -b:a 64k \
    -f flv "rtmp://127.0.0.1:$RTMP_PORT/live/$STREAM" >>"$OUT_DIR/publisher.log" 2>&1 &
  publisher=$!
  remember "$publisher" "publisher (cycle $cycle)"
  # The API lists the stream once this publish is live (the previous cycle's ended playlists
  # may still answer meanwhile).
  wait_http "$BASE/api/v1/streams/$STREAM" 20 && wait_http "$BASE/live/$STREAM/index.m3u8" 20 ||
    die "cycle $cycle: the stream did not go live"
  viewing_s=$((CYCLE_S - 15))
  "$VELA_BIN" bench hls-load --url "$BASE/live/$STREAM/index.m3u8" --clients "$HLS_CLIENTS" \
    --duration "$viewing_s" --json "$OUT_DIR/hls-$cycle.json" >"$OUT_DIR/hls-$cycle.log" 2>&1 &
  hls=$!
  remember "$hls" "hls-load (cycle $cycle)"
  "$VELA_BIN" bench whep-load --url "$BASE/whep/$STREAM" --viewers "$WHEP_VIEWERS" \
    --duration "$viewing_s" --report "$OUT_DIR/whep-$cycle.json" >"$OUT_DIR/whep-$cycle.log" 2>&1 &
  whep=$!
  remember "$whep" "whep-load (cycle $cycle)"
  ffmpeg -hide_banner -nostdin -loglevel error -t "$viewing_s" \
    -i "srt://127.0.0.1:$SRT_PORT?streamid=#!::r=live/$STREAM,m=request" -c copy -f null - \
    >>"$OUT_DIR/srt-viewer.log" 2>&1 &
  srt=$!
  remember "$srt" "srt viewer (cycle $cycle)"
  # Sample every SAMPLE_S while the cycle runs, and once with every client connected.
  cycle_end=$((SECONDS + CYCLE_S))
  loaded_sampled=0
  while kill -0 "$publisher" 2>/dev/null; do
    if ((loaded_sampled == 0 && SECONDS >= cycle_end - 25)); then sample loaded; loaded_sampled=1
    elif ((SECONDS >= next_sample)); then sample live; next_sample=$((SECONDS + SAMPLE_S)); fi
    sleep 1
  done
  for pid in "$hls" "$whep" "$srt"; do wait "$pid" || log "cycle $cycle: $(what_pid "$pid") exited with status $?"; done
  wait "$publisher" || log "cycle $cycle: the publisher exited with status $?"
  stop_and_forget "$publisher" "$hls" "$whep" "$srt"
  log "cycle $cycle done: $(tail -1 "$OUT_DIR/hls-$cycle.log" | cut -c1-160)"
  sleep "$GAP_S"
  sample idle
done

grep -c ' error \| warn ' "$OUT_DIR/vela.log" >"$OUT_DIR/vela-warnings.count" || true
python3 - "$OUT_DIR" "$WARMUP_S" "$RSS_SLACK_PCT" <<'PY'
import csv, json, sys
out, warmup, slack = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
rows = list(csv.DictReader(open(f"{out}/samples.csv")))
loaded = [r for r in rows if r["phase"] == "loaded" and int(r["t_s"]) >= warmup]
idle = [r for r in rows if r["phase"] == "idle" and int(r["t_s"]) >= warmup]
print("t_s  phase   rss_MiB  fds  threads  series  streams")
for r in rows:
    print(f'{r["t_s"]:>5} {r["phase"]:<7} {int(r["rss_kb"]) / 1024:8.1f} {r["fds"]:>4} {r["threads"]:>8} {r["metric_series"]:>7} {r["streams"]:>8}')
result = {"samples": len(rows), "cycles_after_warmup": len(loaded), "growth": []}
def compare(label, series, key, pct=None):
    if len(series) < 2:
        result["growth"].append(f"{label}: fewer than two samples after warm-up")
        return
    first, last = int(series[0][key]), int(series[-1][key])
    peak = max(int(r[key]) for r in series)
    result[f"{label}_{key}"] = {"first": first, "last": last, "peak": peak}
    limit = first * (1 + pct / 100) if pct is not None else first
    if last > limit:
        result["growth"].append(f"{label} {key}: {first} -> {last}")
for key, pct in (("rss_kb", slack), ("fds", None), ("threads", None), ("metric_series", None)):
    compare("loaded", loaded, key, pct)
    compare("idle", idle, key, pct)
json.dump(result, open(f"{out}/summary.json", "w"), indent=1)
print(json.dumps(result, indent=1))
sys.exit(1 if result["growth"] else 0)
PY
