#!/usr/bin/env bash
# WHEP viewers: CPU, memory and loss of a WebRTC server with one 2.5 Mbps 720p30 stream and
# N viewers from `vela bench whep-load` (real ICE, DTLS, SRTP; RTCP RR, NACK, PLI and
# transport-cc feedback; no decoding), for vela and, as the peer figure, Janus.
#
#   vela:  vela serve (one shard), fed the clip over RTMP by ffmpeg (-c copy); the
#          generator POSTs WHEP offers to http://127.0.0.1/whep/bench.
#   janus: Debian's janus, streaming plugin with an RTP mountpoint (H.264 pt 96 copied from
#          the clip, Opus pt 111 encoded from its audio) fed by ffmpeg -f rtp; the generator
#          speaks Janus's HTTP API (create, attach, watch -> Janus's offer, start + answer).
#          Janus skips loopback interfaces when it gathers ICE candidates, so Janus, its
#          ffmpeg and the generator all run in a network namespace made here, and Janus's
#          nat.ice_enforce_list names the namespace's veth address. Needs root.
#
# Layout on the 2-core machine: server on core 0, generator and ffmpeg on core 1.
# For each N in COUNTS the generator ramps N viewers up (RAMP per second), waits SETTLE
# seconds, then the server's CPU (utime+stime, /proc/PID/stat) is taken over WINDOW
# seconds and its RSS (VmRSS) sampled every second. Marginal CPU per viewer =
# (CPU(N) - CPU(0)) / N; RSS per viewer = (RSS(N) - RSS(0)) / N.
#
# The clip (1280x720 30 fps testsrc2 + 440 Hz sine, x264 veryfast zerolatency -bf 0 -g 60
# 2500k constrained baseline, SPS/PPS before every keyframe, AAC 128k, 30 s) is made once in CLIP_DIR and looped with
# -stream_loop -1 -re.
#
# Usage: bench/webrtc/run.sh            (both servers)
# Environment (defaults): SERVERS="vela janus"  COUNTS="0 50 100 200"  WINDOW=30  SETTLE=5
#   RAMP=20  VELA=build/hf/vela  OUT_DIR=/tmp/vela-webrtc.XXXX  CLIP_DIR=/tmp/vela-webrtc-clip
#   PORT_BASE=29400 (vela: HTTP +0, RTMP +1, SRT +2, WebRTC +3; janus: HTTP +10, RTP +12/+14)
#   NETNS=velawrtc  NS_HOST_ADDR=10.213.7.1  NS_ADDR=10.213.7.2  (janus only)
# Loopback and its own namespace only. Every process it starts is stopped by PID on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SERVERS="${SERVERS:-vela janus}"
COUNTS="${COUNTS:-0 50 100 200}"
WINDOW="${WINDOW:-30}"
SETTLE="${SETTLE:-5}"
RAMP="${RAMP:-20}"
VELA="${VELA:-$ROOT/build/hf/vela}"
OUT_DIR="${OUT_DIR:-$(mktemp -d /tmp/vela-webrtc.XXXXXX)}"
CLIP_DIR="${CLIP_DIR:-/tmp/vela-webrtc-clip}"
PORT_BASE="${PORT_BASE:-29400}"
NETNS="${NETNS:-velawrtc}"
NS_HOST_ADDR="${NS_HOST_ADDR:-10.213.7.1}"
NS_ADDR="${NS_ADDR:-10.213.7.2}"
JANUS_LIB="${JANUS_LIB:-/usr/lib/x86_64-linux-gnu/janus}"
TICKS=$(getconf CLK_TCK)
CLIP="$CLIP_DIR/clip-720p30-2500k-v2.mp4"

log() { printf '[webrtc %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

TMP="$OUT_DIR/tmp"
KEEP_TMP=1
NS_MADE=0
netns_cleanup() { if ((NS_MADE)); then netns_down "$NETNS"; fi; }
CLEANUP_HOOK=netns_cleanup
# shellcheck source=../lib/processes.sh
source "$ROOT/bench/lib/processes.sh"
# shellcheck source=../lib/netns.sh
source "$ROOT/bench/lib/netns.sh"

command -v ffmpeg >/dev/null || die "ffmpeg is needed"
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed (table)"
[[ -x $VELA ]] || die "no vela binary at $VELA (ninja -C build/hf vela)"
mkdir -p "$OUT_DIR" "$TMP" "$CLIP_DIR"

cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
now() { date +%s.%N; }
# UDP receive-buffer drops (RcvbufErrors, /proc/net/snmp) in the namespace the prefix selects.
udp_drops() { "$@" awk '/^Udp:/ { if (seen++) print $6 }' /proc/net/snmp; }

if [[ ! -s $CLIP ]]; then
  log "making the clip $CLIP"
  ffmpeg -hide_banner -loglevel error -nostdin -y \
    -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 30 \
    -c:v libx264 -preset veryfast -tune zerolatency -profile:v baseline -bf 0 -g 60 -pix_fmt yuv420p \
    -x264-params repeat-headers=1 \
    -b:v 2500k -maxrate 2500k -bufsize 2500k -c:a aac -b:a 128k -ac 2 "$CLIP.part.mp4"
  mv "$CLIP.part.mp4" "$CLIP"
fi

# measure SERVER_NAME SERVER_PID URL [generator prefix...] -- appends rows to results.tsv
measure() {
  local name=$1 pid=$2 url=$3
  shift 3
  local prefix=("$@") n json gen_pid=""
  for n in $COUNTS; do
    kill -0 "$pid" 2>/dev/null || die "$name died"
    json="$OUT_DIR/$name-$n.json"
    local ramp_s=$(((n + RAMP - 1) / RAMP))
    if ((n > 0)); then
      log "$name: N=$n viewers (ramp ${ramp_s}s, settle ${SETTLE}s, window ${WINDOW}s)"
      "${prefix[@]}" taskset -c 1 "$VELA" bench whep-load --url "$url" --viewers "$n" --ramp-per-s "$RAMP" \
        --duration $((SETTLE + WINDOW + 2)) --report "$json" "${GEN_ARGS[@]}" \
        >"$OUT_DIR/$name-$n.txt" 2>"$OUT_DIR/$name-$n.log" &
      gen_pid=$!
      remember "$gen_pid" "whep-load $name $n"
      sleep $((ramp_s + SETTLE))
    else
      log "$name: N=0 (stream only, ${WINDOW}s)"
    fi
    local t0 c0 t1 c1 r rss_sum=0 rss_count=0 i d0 d1
    d0=$(udp_drops "${prefix[@]}")
    t0=$(now)
    c0=$(cpu_ticks "$pid")
    for ((i = 0; i < WINDOW; i++)); do
      r=$(rss_kb "$pid")
      rss_sum=$((rss_sum + r)) rss_count=$((rss_count + 1))
      sleep 1
    done
    c1=$(cpu_ticks "$pid")
    t1=$(now)
    d1=$(udp_drops "${prefix[@]}")
    log "$name N=$n: UDP receive-buffer drops in the window: $((d1 - d0))"
    if [[ -n $gen_pid ]]; then
      local status=0
      wait "$gen_pid" || status=$?
      stop_and_forget "$gen_pid"
      gen_pid=""
      ((status == 0)) || log "$name N=$n: generator exit $status: $(tail -3 "$OUT_DIR/$name-$n.log")"
      cat "$OUT_DIR/$name-$n.txt" >&2
    fi
    python3 -c 'import sys; n, t0, t1, c0, c1, tk, rs, rc = sys.argv[1:9]
cpu = (int(c1) - int(c0)) / int(tk) / (float(t1) - float(t0)) * 100
print(f"{sys.argv[9]}\t{n}\t{cpu:.2f}\t{int(rs) / max(int(rc), 1) / 1024:.2f}\t{sys.argv[10]}")' \
      "$n" "$t0" "$t1" "$c0" "$c1" "$TICKS" "$rss_sum" "$rss_count" "$name" "$json" >>"$OUT_DIR/results.tsv"
  done
}

run_vela() {
  local http=$PORT_BASE rtmp=$((PORT_BASE + 1))
  log "vela serve (1 shard, core 0) on 127.0.0.1:$http"
  taskset -c 0 "$VELA" serve --set "http.listen=127.0.0.1:$http" --set "rtmp.listen=127.0.0.1:$rtmp" \
    --set "srt.listen=127.0.0.1:$((PORT_BASE + 2))" --set "webrtc.listen=127.0.0.1:$((PORT_BASE + 3))" \
    --set runtime.shards=1 --set "storage.data_dir=$TMP/vela-data" --set log.level=warn \
    >"$OUT_DIR/vela.log" 2>&1 &
  local vela_pid=$!
  remember "$vela_pid" vela
  wait_http "http://127.0.0.1:$http/healthz" 15 || die "vela did not start: $(tail -5 "$OUT_DIR/vela.log")"
  log "ffmpeg: clip -> rtmp://127.0.0.1:$rtmp/live/bench (copy, core 1)"
  taskset -c 1 ffmpeg -hide_banner -loglevel error -nostdin -re -stream_loop -1 -i "$CLIP" -c copy \
    -f flv "rtmp://127.0.0.1:$rtmp/live/bench" >"$OUT_DIR/ffmpeg-vela.log" 2>&1 &
  local ff=$!
  remember "$ff" "ffmpeg rtmp"
  sleep 5
  kill -0 "$ff" 2>/dev/null || die "ffmpeg exited: $(tail -5 "$OUT_DIR/ffmpeg-vela.log")"
  GEN_ARGS=()
  measure vela "$vela_pid" "http://127.0.0.1:$http/whep/bench"
  stop_and_forget "$ff" "$vela_pid"
}

run_janus() {
  command -v janus >/dev/null || die "janus is needed (Debian package janus)"
  local http=$((PORT_BASE + 10)) vport=$((PORT_BASE + 12)) aport=$((PORT_BASE + 14)) dir="$TMP/janus" f
  netns_down "$NETNS"
  netns_up "$NETNS" "$NS_HOST_ADDR" "$NS_ADDR"
  NS_MADE=1
  mkdir -p "$dir/plugins" "$dir/transports" "$dir/none"
  ln -sf "$JANUS_LIB/plugins/libjanus_streaming.so" "$dir/plugins/"
  ln -sf "$JANUS_LIB/transports/libjanus_http.so" "$dir/transports/"
  for f in janus.jcfg janus.plugin.streaming.jcfg janus.transport.http.jcfg; do
    sed -e "s|@DIR@|$dir|g" -e "s|@ICE_ADDR@|$NS_ADDR|g" -e "s|@HTTP_PORT@|$http|g" \
      -e "s|@VIDEO_PORT@|$vport|g" -e "s|@AUDIO_PORT@|$aport|g" "$HERE/janus/$f.in" >"$dir/$f"
  done
  log "janus (default configuration, core 0) in namespace $NETNS, ICE on $NS_ADDR, HTTP 127.0.0.1:$http"
  ip netns exec "$NETNS" taskset -c 0 janus --configs-folder="$dir" --config="$dir/janus.jcfg" --disable-colors \
    >"$OUT_DIR/janus.log" 2>&1 &
  local janus_pid=$!
  remember "$janus_pid" janus
  local ready=0
  for _ in $(seq 100); do
    if ip netns exec "$NETNS" curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$http/janus/info" 2>/dev/null; then
      ready=1
      break
    fi
    kill -0 "$janus_pid" 2>/dev/null || die "janus exited: $(tail -5 "$OUT_DIR/janus.log")"
    sleep 0.2
  done
  ((ready)) || die "janus did not answer on its HTTP API"
  log "ffmpeg: clip -> RTP 127.0.0.1:$vport (H.264 copy, pt 96) + :$aport (Opus pt 111), core 1"
  ip netns exec "$NETNS" taskset -c 1 ffmpeg -hide_banner -loglevel error -nostdin -re -stream_loop -1 -i "$CLIP" \
    -map 0:v -c:v copy -payload_type 96 -ssrc 1111 -f rtp "rtp://127.0.0.1:$vport?pkt_size=1200" \
    -map 0:a -c:a libopus -b:a 64k -ar 48000 -payload_type 111 -ssrc 2222 -f rtp "rtp://127.0.0.1:$aport?pkt_size=1200" \
    >"$OUT_DIR/ffmpeg-janus.log" 2>&1 &
  local ff=$!
  remember "$ff" "ffmpeg rtp"
  sleep 5
  kill -0 "$ff" 2>/dev/null || die "ffmpeg exited: $(tail -5 "$OUT_DIR/ffmpeg-janus.log")"
  GEN_ARGS=(--janus-mountpoint 1)
  measure janus "$janus_pid" "http://127.0.0.1:$http/janus" ip netns exec "$NETNS"
  stop_and_forget "$ff" "$janus_pid"
}

printf 'server\tviewers\tcpu_pct\trss_mb\tjson\n' >"$OUT_DIR/results.tsv"
for server in $SERVERS; do
  case $server in
    vela) run_vela ;;
    janus) run_janus ;;
    *) die "unknown server '$server'" ;;
  esac
done

python3 - "$OUT_DIR/results.tsv" <<'PY' | tee "$OUT_DIR/table.md"
import json, os, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
base = {}
print("| server | viewers | connected / failed | server CPU (% of a core) | marginal CPU per viewer (% of a core) "
      "| server RSS (MB) | RSS per viewer (MB) | frames/s per viewer (mean / min) | video loss % (gaps %, recovered) "
      "| audio loss % | time to first frame p50 / p95 / max (ms) | generator CPU % |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for server, n, cpu, rss, path in rows:
    n, cpu, rss = int(n), float(cpu), float(rss)
    if n == 0:
        base[server] = (cpu, rss)
        print(f"| {server} | 0 | - | {cpu:.1f} | - | {rss:.1f} | - | - | - | - | - | - |")
        continue
    b = base.get(server, (0.0, 0.0))
    r = json.load(open(path)) if os.path.exists(path) else {}
    el = r.get("elapsed_s") or 1
    print(f"| {server} | {n} | {r.get('connected', '?')} / {r.get('failed', '?')} | {cpu:.1f} | {(cpu - b[0]) / n:.3f} "
          f"| {rss:.1f} | {(rss - b[1]) / n:.3f} | {r.get('fps_mean', 0):.1f} / {r.get('fps_min', 0):.1f} "
          f"| {r.get('video_loss_pct', 0):.3f} ({r.get('video_gap_pct', 0):.3f}, {r.get('nack_recovered', 0)}) "
          f"| {r.get('audio_loss_pct', 0):.3f} "
          f"| {r.get('ttff_p50_ms', 0):.0f} / {r.get('ttff_p95_ms', 0):.0f} / {r.get('ttff_max_ms', 0):.0f} "
          f"| {100 * r.get('cpu_s', 0) / el:.0f} |")
PY
log "done; raw results in $OUT_DIR"
