#!/usr/bin/env bash
# Transcoding cost: CPU seconds per second of a 1080p30 source for the default ladder
# (720p 2.5 Mbps, 480p 1 Mbps, 360p 0.6 Mbps; source passed through), Vela against the
# ffmpeg CLI doing the same ladder in one process (one decode, split + scale filters, three
# libx264 encodes with the same settings), in the same run; then how many 720p sources with
# a 480p + 360p ladder Vela transcodes in real time on this machine.
#
#   vela     `vela serve --set transcode.enabled=true`, fed the clip over RTMP in real time
#            (ffmpeg -re -c copy); its CPU over MEASURE_S seconds, minus the CPU of the same
#            run with transcoding off (ingest + packaging), is the transcoding cost.
#   ffmpeg   the same clip through `ffmpeg -re` with the same decode, bicubic scaling and
#            x264 settings (veryfast, zerolatency, no B-frames, 1 thread per encoder, CBR-ish
#            VBV: maxrate = bitrate, bufsize = 2 x bitrate, keyframes where the source has
#            them), output discarded (-f null); audio left out (Vela passes AAC through).
#   capacity N 720p30 sources (N in CAPACITY_COUNTS) with the ladder 480p + 360p; real time
#            when, over the window, no frame was dropped, no rendition was shed and the
#            encoder lag at the end was under 1 s.
#
# Usage: bench/transcode/run.sh     (about 6 minutes)
# Environment: MEASURE_S=40 WARMUP_S=10 CAPACITY_COUNTS="1 2 3 4" VELA_BIN=build/release/vela
#              OUT_DIR=/tmp/vela-transcode.XXXX KEEP_TMP=0 BENCH_NICE=
# Loopback only; every process is stopped by PID on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MEASURE_S="${MEASURE_S:-40}"
WARMUP_S="${WARMUP_S:-10}"
CAPACITY_COUNTS="${CAPACITY_COUNTS:-1 2 3 4}"
VELA_BIN="${VELA_BIN:-$ROOT/build/release/vela}"
OUT_DIR="${OUT_DIR:-$(mktemp -d /tmp/vela-transcode.XXXXXX)}"
KEEP_TMP="${KEEP_TMP:-0}"
BENCH_NICE="${BENCH_NICE:-}"
TICKS=$(getconf CLK_TCK)
NICE=()
[[ -n $BENCH_NICE ]] && NICE=(nice -n "$BENCH_NICE")

log() { printf '[transcode %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in ffmpeg curl python3 node; do command -v $tool >/dev/null || die "$tool is needed"; done
[[ -x $VELA_BIN ]] || die "no vela binary at $VELA_BIN (cmake --build build/release --target vela)"
mkdir -p "$OUT_DIR"
TMP="$(mktemp -d /tmp/vela-transcode-tmp.XXXXXX)"
# shellcheck source=../lib/processes.sh
source "$HERE/../lib/processes.sh"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The CPU (in % of one core) of PID over the next SECONDS seconds.
cpu_over() {
  local pid=$1 seconds=$2 c0 c1 t0 t1
  c0=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
  sleep "$seconds"
  c1=$(cpu_ticks "$pid"); t1=$(date +%s.%N)
  python3 -c "print(round(($c1 - $c0) / $TICKS / ($t1 - $t0) * 100, 1))"
}
metric_sum() { # url name: the sum of a metric's samples
  curl -fsS "$1" | awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%g\n", s + 0 }'
}

log "encoding the sources (20 s each: 1080p30 x264 veryfast 6 Mbps, 720p30 3 Mbps; GOP 2 s; AAC)"
for spec in "1080:1920x1080:6000" "720:1280x720:3000"; do
  IFS=: read -r tag size kbps <<<"$spec"
  ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=$size:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -t 20 -c:v libx264 -preset veryfast -b:v "${kbps}k" -maxrate "${kbps}k" -bufsize "$((kbps * 2))k" -g 60 -keyint_min 60 \
    -sc_threshold 0 -bf 0 -pix_fmt yuv420p -c:a aac -b:a 128k -f flv "$TMP/src$tag.flv"
done

# start_vela LABEL SET...: vela on free loopback ports; sets HTTP, RTMP, VELA_PID.
start_vela() {
  local label=$1; shift
  read -r HTTP RTMP SRT < <(free_ports 3)
  local sets=() kv
  for kv in "$@"; do sets+=(--set "$kv"); done
  "${NICE[@]+"${NICE[@]}"}" "$VELA_BIN" serve --set "http.listen=127.0.0.1:$HTTP" --set "rtmp.listen=127.0.0.1:$RTMP" \
    --set "srt.listen=127.0.0.1:$SRT" --set "storage.data_dir=$TMP/data-$label" --set "thumbnails.interval_s=0" \
    "${sets[@]}" >"$TMP/vela-$label.log" 2>&1 &
  VELA_PID=$!
  remember "$VELA_PID" "vela $label"
  wait_http "http://127.0.0.1:$HTTP/healthz" 20 || { tail "$TMP/vela-$label.log" >&2; die "vela did not start"; }
}

# publish CLIP NAME: loops CLIP into vela in real time; appends to PUBLISHERS.
publish() {
  "${NICE[@]+"${NICE[@]}"}" ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$1" -c copy -f flv \
    "rtmp://127.0.0.1:$RTMP/live/$2" >"$TMP/pub-$2.log" 2>&1 &
  PUBLISHERS+=($!)
  remember "$!" "publisher $2"
}

vela_cpu() { # label transcode(true|false): CPU % of vela with one 1080p publisher
  PUBLISHERS=()
  start_vela "$1" "transcode.enabled=$2"
  publish "$TMP/src1080.flv" bench
  sleep "$WARMUP_S"
  local cpu
  cpu=$(cpu_over "$VELA_PID" "$MEASURE_S")
  echo "$1: vela ${cpu} % of a core; dropped frames $(metric_sum "http://127.0.0.1:$HTTP/metrics" vela_transcode_dropped_frames_total)" >&2
  curl -fsS "http://127.0.0.1:$HTTP/live/bench/index.m3u8" >"$OUT_DIR/$1-multivariant.m3u8" || true
  stop_and_forget "${PUBLISHERS[@]}" "$VELA_PID"
  echo "$cpu"
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "vela: $VELA_BIN ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
  echo "ffmpeg: $(ffmpeg -version | head -1 | cut -d' ' -f3), libx264 $(dpkg-query -W -f='${Version}' libx264-164 2>/dev/null)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT_DIR/meta.txt" >&2

log "vela, transcoding off (ingest + packaging only)"
base=$(vela_cpu passthrough false)
log "vela, default ladder"
ladder=$(vela_cpu ladder true)

log "ffmpeg CLI, the same ladder in one process"
x264='preset=veryfast'
"${NICE[@]+"${NICE[@]}"}" ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$TMP/src1080.flv" -an \
  -filter_complex "[0:v]split=3[a][b][c];[a]scale=1280:720:flags=bicubic[v720];[b]scale=854:480:flags=bicubic[v480];[c]scale=640:360:flags=bicubic[v360]" \
  -map "[v720]" -c:v:0 libx264 -b:v:0 2500k -maxrate:v:0 2500k -bufsize:v:0 5000k \
  -map "[v480]" -c:v:1 libx264 -b:v:1 1000k -maxrate:v:1 1000k -bufsize:v:1 2000k \
  -map "[v360]" -c:v:2 libx264 -b:v:2 600k -maxrate:v:2 600k -bufsize:v:2 1200k \
  -preset veryfast -tune zerolatency -threads 1 -x264-params keyint=infinite:scenecut=0:bframes=0 \
  -force_key_frames "expr:gte(t,n_forced*2)" -f null - >"$TMP/ffmpeg-ladder.log" 2>&1 &
cli=$!
remember "$cli" "ffmpeg ladder"
sleep "$WARMUP_S"
cli_cpu=$(cpu_over "$cli" "$MEASURE_S")
stop_and_forget "$cli"
echo "ffmpeg CLI ladder: ${cli_cpu} % of a core ($x264)" >&2

log "capacity: 720p sources with a 480p + 360p ladder"
capacity_rows=()
for n in $CAPACITY_COUNTS; do
  PUBLISHERS=()
  start_vela "cap$n" "transcode.enabled=true" \
    'transcode.ladder=[{name="480p",height=480,video_kbps=1000,max_fps=30},{name="360p",height=360,video_kbps=600,max_fps=30}]'
  for ((i = 0; i < n; i++)); do publish "$TMP/src720.flv" "s$i"; done
  sleep "$WARMUP_S"
  dropped0=$(metric_sum "http://127.0.0.1:$HTTP/metrics" vela_transcode_dropped_frames_total)
  cpu=$(cpu_over "$VELA_PID" "$MEASURE_S")
  dropped1=$(metric_sum "http://127.0.0.1:$HTTP/metrics" vela_transcode_dropped_frames_total)
  lag=$(curl -fsS "http://127.0.0.1:$HTTP/metrics" | awk '$1 ~ /^vela_transcode_lag_milliseconds/ { if ($2 > m) m = $2 } END { printf "%g\n", m + 0 }')
  shed=$(metric_sum "http://127.0.0.1:$HTTP/metrics" vela_transcode_shed_renditions)
  dropped=$(python3 -c "print(int($dropped1 - $dropped0))")
  realtime=yes
  [[ $dropped -eq 0 && $shed == 0 ]] && python3 -c "import sys; sys.exit(0 if $lag < 1000 else 1)" || realtime=no
  capacity_rows+=("| $n | $cpu | $dropped | $lag | $shed | $realtime |")
  echo "capacity $n: cpu $cpu %, dropped $dropped, lag $lag ms, shed $shed, real time: $realtime" >&2
  stop_and_forget "${PUBLISHERS[@]}" "$VELA_PID"
done

echo
cat "$OUT_DIR/meta.txt"
echo
python3 - "$base" "$ladder" "$cli_cpu" <<'PY' | tee "$OUT_DIR/table.md"
import sys
base, ladder, cli = map(float, sys.argv[1:])
vela = ladder - base
print("| 1080p30 source, default ladder | CPU (% of a core = CPU s per s of source x 100) |")
print("|---|---|")
print(f"| vela, transcoding off (ingest + packaging) | {base:.1f} |")
print(f"| vela, default ladder (total) | {ladder:.1f} |")
print(f"| vela, transcoding only (difference) | {vela:.1f} |")
print(f"| ffmpeg CLI, same ladder | {cli:.1f} |")
print(f"| ratio vela transcoding / ffmpeg CLI | {vela / cli:.2f} |")
PY
echo
{
  echo "| 720p30 sources (480p + 360p each) | vela CPU (% of a core) | dropped frames | lag at the end (ms) | shed renditions | real time |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${capacity_rows[@]}"
} | tee -a "$OUT_DIR/table.md"
echo "results: $OUT_DIR"
