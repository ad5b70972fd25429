#!/usr/bin/env bash
# LL-HLS load: CPU and memory of `vela serve` with one 720p30 RTMP publisher and N LL-HLS
# clients (`vela bench hls-load`: blocking playlist reloads + part fetches, one keep-alive
# connection each), and the delay from a part's availability to its delivery.
#
# Layout on the 2-core machine (PIN=1, the default):
#   core 0: vela serve --set runtime.shards=1   (one shard: one event-loop thread)
#   core 1: ffmpeg (x264 720p30 veryfast) + the load generator, which compete for it
# PIN=0 runs everything unpinned (use with SHARDS=2).
#
# Delay reference: vela stamps PROGRAM-DATE-TIME as (wall clock at the stream's first
# frame) + media time, so if the publisher's first frame arrived late, every PDT-derived
# availability instant is late by a constant. A calibration run (1 client, CAL_DURATION s,
# before the loads and again after them) measures that constant as the smallest raw delay
# (arrival - PDT instant) of an unloaded client, and the loads subtract it
# (--availability-offset-us). Raw numbers are kept in the JSON files.
#
# For each N in COUNTS it runs the generator for DURATION seconds (N=0: publisher only)
# and samples, over exactly that window, vela's CPU (utime+stime from /proc/PID/stat, as a
# % of one core) and RSS (VmRSS from /proc/PID/status every second: average and peak),
# plus ffmpeg's CPU and the generator's own CPU (core 1 contention). Prints a table;
# raw results stay in OUT_DIR.
#
# Usage: bench/hls_load/run.sh
# Environment overrides (defaults):
#   COUNTS="0 1 100 500"  DURATION=60  WARMUP=8  CAL_DURATION=20  SHARDS=1  PIN=1  THREADS=1
#   VELA=build/release/vela (built with `cmake --preset release && cmake --build --preset release --target vela` if missing)
#   HTTP_PORT=28080  RTMP_PORT=21935  OUT_DIR=/tmp/vela-hls-load.XXXX  KEEP_DATA=0
#   TRACE=1: also write a CSV line per received part (OUT_DIR/trace-N.csv; costs CPU)
#   BENCH_NICE=-10: run vela, ffmpeg and the generator at this nice level (root only), so
#                   that unrelated work on a shared machine disturbs the measurement less.
#                   The table's last column shows how busy each core was in the window.
# Loopback only. Every process it starts is stopped by PID on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
COUNTS="${COUNTS:-0 1 100 500}"
DURATION="${DURATION:-60}"
CAL_DURATION="${CAL_DURATION:-20}"
WARMUP="${WARMUP:-8}"
SHARDS="${SHARDS:-1}"
PIN="${PIN:-1}"
THREADS="${THREADS:-1}"
VELA="${VELA:-$ROOT/build/release/vela}"
HTTP_PORT="${HTTP_PORT:-28080}"
RTMP_PORT="${RTMP_PORT:-21935}"
OUT_DIR="${OUT_DIR:-$(mktemp -d /tmp/vela-hls-load.XXXXXX)}"
KEEP_DATA="${KEEP_DATA:-0}"
TRACE="${TRACE:-0}"
BENCH_NICE="${BENCH_NICE:-}"
STREAM=bench
URL="http://127.0.0.1:$HTTP_PORT/live/$STREAM/index.m3u8"
TICKS=$(getconf CLK_TCK)

log() { printf '[hls-load %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v ffmpeg >/dev/null || die "ffmpeg is needed"
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed (table formatting)"
if [[ ! -x $VELA ]]; then
  log "building vela"
  (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build --preset release --target vela)
fi
mkdir -p "$OUT_DIR"

SERVER_PREFIX=()
CLIENT_PREFIX=()
if [[ -n $BENCH_NICE ]]; then
  SERVER_PREFIX=(nice -n "$BENCH_NICE")
  CLIENT_PREFIX=(nice -n "$BENCH_NICE")
fi
if [[ $PIN == 1 ]]; then
  SERVER_PREFIX+=(taskset -c 0)
  CLIENT_PREFIX+=(taskset -c 1)
fi

pids=()    # long-lived: vela, ffmpeg
GEN_PID=""  # the generator while it runs
cleanup() {
  local pid
  [[ -n $GEN_PID ]] && pids+=("$GEN_PID")
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [[ $KEEP_DATA == 1 ]] || rm -rf "$OUT_DIR/data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# utime + stime of a process, in clock ticks (fields 14 and 15, counted after the ")").
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# "busy,total" jiffies of every core (cpu0 cpu1 ...): what else ran on the machine.
core_ticks() { awk '/^cpu[0-9]/ { printf "%s%d,%d", sep, $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; sep = ";" }' /proc/stat; }
now() { date +%s.%N; }

log "vela serve (shards=$SHARDS, pin=$PIN) on 127.0.0.1:$HTTP_PORT, results in $OUT_DIR"
"${SERVER_PREFIX[@]}" "$VELA" serve \
  --set "http.listen=127.0.0.1:$HTTP_PORT" --set "rtmp.listen=127.0.0.1:$RTMP_PORT" \
  --set "srt.listen=127.0.0.1:$((RTMP_PORT + 1))" --set "webrtc.listen=127.0.0.1:$((RTMP_PORT + 2))" \
  --set "runtime.shards=$SHARDS" --set "storage.data_dir=$OUT_DIR/data" --set log.level=warn \
  >"$OUT_DIR/vela.log" 2>&1 &
VELA_PID=$!
pids+=("$VELA_PID")
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null && break
  kill -0 "$VELA_PID" 2>/dev/null || die "vela exited: $(tail -5 "$OUT_DIR/vela.log")"
  sleep 0.1
done

log "ffmpeg 1280x720 30 fps x264 veryfast zerolatency 2500k + AAC -> rtmp://127.0.0.1:$RTMP_PORT/live/$STREAM"
"${CLIENT_PREFIX[@]}" ffmpeg -hide_banner -loglevel error -nostdin -re \
  -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine \
  -c:v libx264 -preset veryfast -tune zerolatency -g 60 -b:v 2500k -c:a aac \
  -f flv "rtmp://127.0.0.1:$RTMP_PORT/live/$STREAM" >"$OUT_DIR/ffmpeg.log" 2>&1 &
FFMPEG_PID=$!
pids+=("$FFMPEG_PID")

ready=0
for _ in $(seq 200); do
  if curl -sf "http://127.0.0.1:$HTTP_PORT/live/$STREAM/video.m3u8" 2>/dev/null | grep -q '^#EXT-X-PART:'; then
    ready=1
    break
  fi
  kill -0 "$FFMPEG_PID" 2>/dev/null || die "ffmpeg exited: $(tail -5 "$OUT_DIR/ffmpeg.log")"
  sleep 0.1
done
((ready)) || die "no LL-HLS parts at $URL after 20 s"
curl -sf "$URL" >"$OUT_DIR/index.m3u8"
log "stream is live; warming up ${WARMUP}s"
sleep "$WARMUP"

# Smallest raw part delay of one unloaded client, in microseconds (see the top).
calibrate() {
  local json="$OUT_DIR/calibration-$1.json"
  "${CLIENT_PREFIX[@]}" "$VELA" bench hls-load --url "$URL" --clients 1 --duration "$CAL_DURATION" \
    --json "$json" >"$OUT_DIR/calibration-$1.txt" 2>&1 || die "calibration failed"
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["delay_raw"]
if d["count"] < 5: sys.exit("calibration: too few parts")
print(round(d["min_ms"] * 1000))' "$json"
}
log "calibrating the PDT reference (1 client, ${CAL_DURATION}s)"
OFFSET_US=$(calibrate start)
log "availability offset ${OFFSET_US} us"

results="$OUT_DIR/results.tsv"
printf 'clients\tvela_cpu_pct\trss_avg_mb\trss_peak_mb\tffmpeg_cpu_pct\tjson\tcore_busy_pct\n' >"$results"
for n in $COUNTS; do
  kill -0 "$VELA_PID" 2>/dev/null || die "vela died"
  kill -0 "$FFMPEG_PID" 2>/dev/null || die "ffmpeg died"
  log "N=$n clients for ${DURATION}s"
  json="$OUT_DIR/load-$n.json"
  t0=$(now)
  c0=$(cpu_ticks "$VELA_PID")
  f0=$(cpu_ticks "$FFMPEG_PID")
  k0=$(core_ticks)
  trace=()
  [[ $TRACE == 1 ]] && trace=(--trace "$OUT_DIR/trace-$n.csv")
  "${CLIENT_PREFIX[@]}" "$VELA" bench hls-load --url "$URL" --clients "$n" "${trace[@]}" \
    --availability-offset-us "$OFFSET_US" --duration "$DURATION" --threads "$THREADS" --json "$json" >"$OUT_DIR/load-$n.txt" 2>"$OUT_DIR/load-$n.log" &
  GEN_PID=$!
  rss_sum=0 rss_count=0 rss_peak=0
  while kill -0 "$GEN_PID" 2>/dev/null; do
    r=$(rss_kb "$VELA_PID")
    rss_sum=$((rss_sum + r)) rss_count=$((rss_count + 1))
    ((r > rss_peak)) && rss_peak=$r
    sleep 1
  done
  status=0
  wait "$GEN_PID" || status=$?
  GEN_PID=""
  ((status == 0)) || die "generator failed ($status): $(cat "$OUT_DIR/load-$n.log")"
  c1=$(cpu_ticks "$VELA_PID")
  f1=$(cpu_ticks "$FFMPEG_PID")
  k1=$(core_ticks)
  t1=$(now)
  python3 - "$n" "$t0" "$t1" "$c0" "$c1" "$f0" "$f1" "$TICKS" "$rss_sum" "$rss_count" "$rss_peak" "$json" "$k0" "$k1" >>"$results" <<'EOF'
import sys
n, t0, t1, c0, c1, f0, f1, ticks, rss_sum, rss_count, rss_peak, json, k0, k1 = sys.argv[1:]
cores = []
for a, b in zip(k0.split(";"), k1.split(";")):
    (busy0, total0), (busy1, total1) = map(int, a.split(",")), map(int, b.split(","))
    cores.append(f"{100 * (busy1 - busy0) / max(total1 - total0, 1):.0f}")
wall = float(t1) - float(t0)
cpu = (int(c1) - int(c0)) / int(ticks) / wall * 100
ff = (int(f1) - int(f0)) / int(ticks) / wall * 100
avg = int(rss_sum) / max(int(rss_count), 1) / 1024
print(f"{n}\t{cpu:.1f}\t{avg:.1f}\t{int(rss_peak) / 1024:.1f}\t{ff:.1f}\t{json}\t{'/'.join(cores)}")
EOF
  cat "$OUT_DIR/load-$n.txt" >&2
done

log "re-calibrating (drift check)"
OFFSET_END_US=$(calibrate end)

python3 - "$results" "$SHARDS" "$PIN" "$OFFSET_US" "$OFFSET_END_US" "$BENCH_NICE" <<'EOF' | tee "$OUT_DIR/table.md"
import json, sys
path, shards, pin, offset, offset_end, nice = sys.argv[1:]
rows = [line.rstrip("\n").split("\t") for line in open(path)][1:]
print(f"shards={shards} pinned={'yes (vela core 0; ffmpeg + generator core 1)' if pin == '1' else 'no'}; nice={nice or 0}; "
      f"PDT offset {int(offset) / 1000:.1f} ms (start), {int(offset_end) / 1000:.1f} ms (end)")
print()
print("| clients | vela CPU (% of a core) | vela RSS avg / peak (MB) | part delay p50 / p95 / p99 / max (ms) "
      "| playlist p50 / p95 (ms) | fan-out spread p95 / max (ms) | parts/s | errors | generator CPU % "
      "| ffmpeg CPU % | machine: core 0 / 1 busy % |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for n, cpu, avg, peak, ff, jpath, cores in rows:
    r = json.load(open(jpath))
    d, s, p = r["delay"], r["spread"], r["reload"]
    el = r["elapsed_s"] or 1
    if int(n) == 0:
        delay, reload, parts, spread, errors = "-", "-", "-", "-", "-"
    else:
        delay = f'{d["p50_ms"]:.1f} / {d["p95_ms"]:.1f} / {d["p99_ms"]:.1f} / {d["max_ms"]:.1f}'
        parts = f'{r["parts"] / el:.0f}'
        spread = f'{s["p95_ms"]:.1f} / {s["max_ms"]:.1f}'
        reload = f'{p["p50_ms"]:.1f} / {p["p95_ms"]:.1f}'
        errors = f'{r["errors"]}'
    gen = f'{100 * r["cpu_s"] / el:.0f}'
    print(f"| {n} | {cpu} | {avg} / {peak} | {delay} | {reload} | {spread} | {parts} | {errors} | {gen} | {ff} | {cores} |")
EOF
log "done; raw results in $OUT_DIR"
