#!/usr/bin/env bash
# SRT ingest cost: CPU and memory of `vela serve` per SRT publisher, over a clean link and
# over one that loses LOSS_PCT % of UDP packets each way. Glass-to-glass latency SRT ->
# LL-HLS, clean and lossy, is measured by bench/latency (SYSTEMS="vela-srt vela-srt-loss").
#
# vela runs in a network namespace this script makes (root, iproute2, nftables), joined to
# this one by a veth pair; for the lossy runs nftables drops UDP packets at random in both
# directions (this machine's kernel has no netem). Each
# publisher is `ffmpeg -re -stream_loop -1 -c copy` of one pre-encoded clip (720p30 x264
# ~2.5 Mbps + AAC, 2 s GOP) sent as MPEG-TS over SRT, so publishers cost little CPU. Each
# stream is ingested, normalized and packaged to CMAF/LL-HLS (no viewers).
#
# For each LOSS in "0 $LOSS_PCT" and each N in COUNTS: N publishers, WARMUP s to settle, then
# DURATION s in which vela's CPU (utime+stime from /proc) and RSS are sampled, and SRT's own
# counters (lost, retransmitted, dropped packets, from /api/v1/streams) are read at the end.
#
# Usage: bench/srt/run.sh
# Environment overrides (defaults):
#   COUNTS="1 4 8"  DURATION=30  WARMUP=6  LOSS_PCT=2  SRT_LATENCY_MS=120  SHARDS=1  PIN=1
#   VELA_BIN=build/release/vela  OUT_DIR=/tmp/vela-srt-bench.XXXX  KEEP_TMP=0  BENCH_NICE=
# PIN=1: vela on core 0, the publishers on core 1.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
COUNTS="${COUNTS:-1 4 8}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-6}"
LOSS_PCT="${LOSS_PCT:-2}"
SRT_LATENCY_MS="${SRT_LATENCY_MS:-120}"
SHARDS="${SHARDS:-1}"
PIN="${PIN:-1}"
VELA_BIN="${VELA_BIN:-$ROOT/build/release/vela}"
OUT_DIR="${OUT_DIR:-$(mktemp -d /tmp/vela-srt-bench.XXXXXX)}"
KEEP_TMP="${KEEP_TMP:-0}"
BENCH_NICE="${BENCH_NICE:-}"
TICKS=$(getconf CLK_TCK)
HOST_ADDR=10.213.1.1
NS_ADDR=10.213.1.2
HTTP_PORT=8080
SRT_PORT=9000

log() { printf '[srt-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $EUID -eq 0 ]] || die "needs root (network namespace and nftables)"
command -v nft >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nftables >/dev/null
for tool in ffmpeg curl ip nft python3; do command -v $tool >/dev/null || die "$tool is needed"; done
[[ -x $VELA_BIN ]] || die "no vela binary at $VELA_BIN (cmake --build build/release --target vela)"
mkdir -p "$OUT_DIR"
TMP="$(mktemp -d /tmp/vela-srt-bench-tmp.XXXXXX)"
# shellcheck source=../lib/processes.sh
source "$HERE/../lib/processes.sh"
# shellcheck source=../lib/netns.sh
source "$HERE/../lib/netns.sh"
NETNS=""
remove_netns() { [[ -n $NETNS ]] && netns_down "$NETNS"; NETNS=""; }
CLEANUP_HOOK=remove_netns

SERVER_PREFIX=()
CLIENT_PREFIX=()
[[ -n $BENCH_NICE ]] && SERVER_PREFIX=(nice -n "$BENCH_NICE") && CLIENT_PREFIX=(nice -n "$BENCH_NICE")
if [[ $PIN == 1 ]]; then
  SERVER_PREFIX+=(taskset -c 0)
  CLIENT_PREFIX+=(taskset -c 1)
fi

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

log "encoding the clip (720p30, x264 veryfast ~2.5 Mbps, GOP 60, AAC 128k, 20 s)"
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t 20 -c:v libx264 -preset veryfast -b:v 2500k -maxrate 2500k -bufsize 5000k -g 60 -keyint_min 60 -sc_threshold 0 \
  -pix_fmt yuv420p -c:a aac -b:a 128k -f mpegts "$TMP/clip.ts"

# measure LOSS N: one row of the table (also written to OUT_DIR/LOSS-N.json).
measure() {
  local loss=$1 n=$2 i
  NETNS="vela-srtb-$$"
  netns_up "$NETNS" "$HOST_ADDR" "$NS_ADDR"
  ((loss > 0)) && netns_udp_loss "$NETNS" "$loss"
  ip netns exec "$NETNS" "${SERVER_PREFIX[@]+"${SERVER_PREFIX[@]}"}" "$VELA_BIN" serve \
    --set "http.listen=$NS_ADDR:$HTTP_PORT" --set "rtmp.listen=127.0.0.1:1935" --set "srt.listen=$NS_ADDR:$SRT_PORT" \
    --set "srt.latency_ms=$SRT_LATENCY_MS" --set "runtime.shards=$SHARDS" --set "storage.data_dir=$TMP/data" \
    >"$TMP/vela-$loss-$n.log" 2>&1 &
  local vela=$!
  remember "$vela" "vela serve"
  local deadline=$((SECONDS + 20))
  until curl -fsS -o /dev/null --max-time 2 "http://$NS_ADDR:$HTTP_PORT/healthz" 2>/dev/null; do
    ((SECONDS < deadline)) || { tail "$TMP/vela-$loss-$n.log" >&2; die "vela did not start"; }
    sleep 0.2
  done
  local publishers=()
  for ((i = 0; i < n; i++)); do
    "${CLIENT_PREFIX[@]+"${CLIENT_PREFIX[@]}"}" ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$TMP/clip.ts" -c copy \
      -f mpegts "srt://$NS_ADDR:$SRT_PORT?streamid=publish:live/s$i&latency=$((SRT_LATENCY_MS * 1000))" \
      >"$TMP/pub-$loss-$n-$i.log" 2>&1 &
    publishers+=($!)
    remember "$!" "publisher $i"
  done
  sleep "$WARMUP"
  local live
  live=$(curl -fsS "http://$NS_ADDR:$HTTP_PORT/api/v1/streams" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["streams"]))')
  ((live == n)) || log "warning: $live of $n streams live after warm-up"
  local t0 c0 rss_sum=0 rss_peak=0 samples=0 r
  t0=$(date +%s.%N)
  c0=$(cpu_ticks "$vela")
  for ((i = 0; i < DURATION; i++)); do
    sleep 1
    r=$(rss_kb "$vela")
    rss_sum=$((rss_sum + r)); samples=$((samples + 1)); ((r > rss_peak)) && rss_peak=$r
  done
  local c1 t1
  c1=$(cpu_ticks "$vela")
  t1=$(date +%s.%N)
  curl -fsS "http://$NS_ADDR:$HTTP_PORT/api/v1/streams" >"$OUT_DIR/streams-$loss-$n.json"
  python3 - "$loss" "$n" "$c0" "$c1" "$t0" "$t1" "$TICKS" "$((rss_sum / samples))" "$rss_peak" "$OUT_DIR/streams-$loss-$n.json" \
    >"$OUT_DIR/$loss-$n.json" <<'PY'
import json, sys
loss, n, c0, c1, t0, t1, ticks, rss_avg, rss_peak, streams = sys.argv[1:]
n = int(n)
cpu = (int(c1) - int(c0)) / int(ticks) / (float(t1) - float(t0)) * 100
totals = {"lost_packets": 0, "retransmitted_packets": 0, "dropped_packets": 0, "received_bytes": 0}
live = json.load(open(streams))["streams"]
for s in live:
    t = s.get("ingest", {}).get("transport", {})
    for k in totals:
        totals[k] += t.get(k, 0)
print(json.dumps({"loss_pct": float(loss), "streams": n, "live": len(live), "cpu_pct": round(cpu, 2),
                  "cpu_pct_per_stream": round(cpu / n, 2), "rss_avg_kb": int(rss_avg), "rss_peak_kb": int(rss_peak),
                  **totals}))
PY
  cat "$OUT_DIR/$loss-$n.json" >&2
  stop_and_forget "${publishers[@]}" "$vela"
  remove_netns
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "vela: $VELA_BIN ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)), shards $SHARDS, pinned $PIN"
  echo "srt: libsrt $(dpkg-query -W -f='${Version}' libsrt1.5-openssl 2>/dev/null), latency ${SRT_LATENCY_MS} ms; ffmpeg $(ffmpeg -version | head -1 | cut -d' ' -f3)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT_DIR/meta.txt" >&2

for loss in 0 "$LOSS_PCT"; do
  for n in $COUNTS; do
    log "loss $loss %, $n publishers, ${DURATION} s"
    measure "$loss" "$n"
  done
done

echo
cat "$OUT_DIR/meta.txt"
echo
python3 - "$OUT_DIR" $COUNTS <<'PY'
import json, sys, glob, os
out = sys.argv[1]
rows = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(out, "*-*.json"))) if not os.path.basename(f).startswith("streams")]
rows.sort(key=lambda r: (r["loss_pct"], r["streams"]))
print("| UDP loss | streams | vela CPU (% of a core) | per stream | RSS avg / peak (MB) | SRT lost / retransmitted / dropped pkts |")
print("|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['loss_pct']:g} % | {r['streams']} ({r['live']} live) | {r['cpu_pct']:.1f} | {r['cpu_pct_per_stream']:.2f} | "
          f"{r['rss_avg_kb']/1024:.1f} / {r['rss_peak_kb']/1024:.1f} | {r['lost_packets']} / {r['retransmitted_packets']} / {r['dropped_packets']} |")
PY
echo "results: $OUT_DIR"
