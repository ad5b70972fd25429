#!/usr/bin/env bash
# Glass-to-glass latency: RTMP -> (LL-)HLS -> hls.js (and, when asked, WebRTC) in headless
# Chromium, measured from a clock drawn into every frame by the sender and read back from the
# decoded video.
#
# Runs, one after the other, with the same sender settings:
#   vela         `vela serve`, LL-HLS (parts ~0.333 s, blocking reload), played by /watch/{name}
#   nginx        nginx + libnginx-mod-rtmp, plain HLS (MPEG-TS), hls_fragment 1 s, plain hls.js
#   nginx-small  the same with its smallest sensible fragment (GOP and hls_fragment 0.333 s)
# and, when asked (SYSTEMS), the same Vela with an SRT publisher (MPEG-TS) instead of RTMP:
#   vela-srt       SRT over loopback
#   vela-srt-loss  SRT into a network namespace whose link drops LOSS_PCT % of UDP packets
#                  each way (root, iproute2 and nftables needed; the namespace is removed on exit)
# and WebRTC playback (WHEP), played by /watch/{name}?protocol=webrtc:
#   vela-whep       the RTMP sender above -> vela -> WHEP
#   vela-whip-whep  a browser publisher: whip_sender.mjs, in its own headless Chromium, draws the
#                   same time code into a canvas and publishes it with a WebAudio tone over WHIP
# and the same two played with lip sync off (/watch/{name}?protocol=webrtc&lip_sync=off: the
# server answers with audio in its own stream, so video is not held back; audio still plays):
#   vela-whep-nosync  vela-whip-whep-nosync
# Every Vela system also records the time to first frame over TTFF_RELOADS fresh page loads
# after its measurement.
#
# Usage: bench/latency/run.sh                (about 4-5 minutes with the defaults)
# Environment overrides:
#   SYSTEMS="vela nginx nginx-small"  WARMUP_S=10  MEASURE_S=60  SIZE=640x360  FPS=30  GOP=30
#   LOSS_PCT=2  NGINX_FRAGMENT_MS=1000  NGINX_SMALL_FRAGMENT_MS=333  NGINX_PLAYLIST_S=4
#   TTFF_RELOADS=5  WHIP_MAX_BITRATE=2500000
#   VELA_SET="hls.part_target_s=0.2"  extra `vela serve --set` overrides (space-separated)
#   VELA_BIN=build/release/vela  OUT_DIR=bench/latency/results/<utc time>  KEEP_TMP=0
#   BENCH_NICE=-10  run server, sender and browser at this nice level (root only), so that
#                   unrelated load on a shared machine disturbs the measurement less
# Loopback only. Every process it starts is stopped by PID on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SYSTEMS="${SYSTEMS:-vela nginx nginx-small}"
WARMUP_S="${WARMUP_S:-10}"
MEASURE_S="${MEASURE_S:-60}"
SIZE="${SIZE:-640x360}"
FPS="${FPS:-30}"
GOP="${GOP:-30}"
NGINX_FRAGMENT_MS="${NGINX_FRAGMENT_MS:-1000}"
NGINX_SMALL_FRAGMENT_MS="${NGINX_SMALL_FRAGMENT_MS:-333}"
NGINX_PLAYLIST_S="${NGINX_PLAYLIST_S:-4}"
LOSS_PCT="${LOSS_PCT:-2}"
TTFF_RELOADS="${TTFF_RELOADS:-5}"
WHIP_MAX_BITRATE="${WHIP_MAX_BITRATE:-2500000}"
VELA_BIN="${VELA_BIN:-$ROOT/build/release/vela}"
OUT_DIR="${OUT_DIR:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}"
KEEP_TMP="${KEEP_TMP:-0}"
BENCH_NICE="${BENCH_NICE:-}"
VELA_SET="${VELA_SET:-}"
NICE=""
[[ -n $BENCH_NICE ]] && NICE="nice -n $BENCH_NICE"
STREAM=g2g
NGINX_RTMP_MODULE=/usr/lib/nginx/modules/ngx_rtmp_module.so

log() { printf '[latency %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- dependencies ---------------------------------------------------------------------------
missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v nginx >/dev/null || missing+=(nginx)
[[ -f $NGINX_RTMP_MODULE ]] || missing+=(libnginx-mod-rtmp)
command -v node >/dev/null || missing+=(nodejs npm)
command -v curl >/dev/null || missing+=(curl)
[[ " $SYSTEMS " == *" vela-srt-loss "* ]] && ! command -v nft >/dev/null && missing+=(nftables)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  sudo=""
  [[ $EUID -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  # Debian starts nginx's own service on install unless policy-rc.d says no; we never use it.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [[ ! -d $HERE/node_modules/playwright-core || ! -d $HERE/node_modules/hls.js ]]; then
  log "npm ci in bench/latency"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi
[[ -x $VELA_BIN ]] || die "no vela binary at $VELA_BIN (build it: make build)"

# --- processes ------------------------------------------------------------------------------
TMP="$(mktemp -d /tmp/vela-g2g.XXXXXX)"
# shellcheck source=../lib/processes.sh
source "$HERE/../lib/processes.sh"
# shellcheck source=../lib/netns.sh
source "$HERE/../lib/netns.sh"

start_sender() { # label rtmp_url gop
  $NICE node "$HERE/sender.mjs" --url "$2" --size "$SIZE" --fps "$FPS" --gop "$3" >"$TMP/$1-sender.log" 2>&1 &
  SENDER_PID=$!
  remember "$SENDER_PID" "$1 sender"
}

start_whip_sender() { # label whip_url
  $NICE node "$HERE/whip_sender.mjs" --endpoint "$2" --size "$SIZE" --fps "$FPS" --max-bitrate "$WHIP_MAX_BITRATE" \
    --out "$OUT_DIR/$1-sender.json" >"$TMP/$1-sender.log" 2>&1 &
  SENDER_PID=$!
  remember "$SENDER_PID" "$1 WHIP sender"
}

run_probe() { # label url server_pid [probe options...]
  $NICE node "$HERE/probe.mjs" --url "$2" --label "$1" --size "$SIZE" --warmup "$WARMUP_S" --seconds "$MEASURE_S" \
    --watch "server:$3,sender:$SENDER_PID" --out "$OUT_DIR/$1.json" "${@:4}" &
  local pid=$!
  remember "$pid" "$1 probe"
  local rc=0
  wait "$pid" || rc=$?
  stop_and_forget "$pid"
  return $rc
}

# A base port P such that P .. P+N-1 are free for both UDP and TCP on 127.0.0.1: vela's WebRTC
# media (UDP and ICE-TCP) uses webrtc.listen's port plus the shard index.
free_webrtc_port() { # N
  node -e '
    const net = require("node:net");
    const dgram = require("node:dgram");
    const n = Number(process.argv[1]);
    const tcp = (port) => new Promise((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(null));
      s.listen(port, "127.0.0.1", () => resolve(s));
    });
    const udp = (port) => new Promise((resolve) => {
      const s = dgram.createSocket("udp4");
      s.once("error", () => { s.close(); resolve(null); });
      s.bind(port, "127.0.0.1", () => resolve(s));
    });
    (async () => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const first = await tcp(0);
        const base = first.address().port;
        const held = [first];
        let ok = base + n <= 65535;
        for (let i = 0; ok && i < n; i++) {
          const sockets = [i ? await tcp(base + i) : null, await udp(base + i)];
          if ((i && !sockets[0]) || !sockets[1]) ok = false;
          held.push(...sockets.filter(Boolean));
        }
        held.forEach((s) => s.close());
        if (ok) { console.log(base); return; }
      }
      process.exit(1);
    })();' "$1"
}

# run_vela LABEL INGEST [PLAY]: INGEST is rtmp, srt (both on loopback) or whip (whip_sender.mjs,
# a browser), or srt-loss: vela runs in a network namespace and the SRT publisher reaches it
# over a veth link that drops LOSS_PCT % of UDP packets each way (the browser's HTTP on the
# same link is not touched). PLAY is hls (default: /watch), whep (/watch?protocol=webrtc) or
# whep-nosync (/watch?protocol=webrtc&lip_sync=off: the server puts audio in its own stream,
# so Chromium does not hold video back for lip sync).
run_vela() {
  local label=$1 ingest=$2 play=${3:-hls} http rtmp srt webrtc host=127.0.0.1 netns=()
  read -r http rtmp srt < <(free_ports 3)
  webrtc=$(free_webrtc_port "$(nproc)") || die "no free WebRTC port range"
  if [[ $ingest == srt-loss ]]; then
    NETNS="vela-g2g-$$"
    CLEANUP_HOOK=remove_netns
    netns_up "$NETNS" 10.213.0.1 10.213.0.2
    netns_udp_loss "$NETNS" "$LOSS_PCT"
    host=10.213.0.2
    netns=(ip netns exec "$NETNS")
  fi
  cp "$VELA_BIN" "$TMP/vela" # a concurrent rebuild cannot swap the binary mid-run
  echo "vela binary used: $(stat -c '%y' "$VELA_BIN" | cut -d. -f1) sha256 $(sha256sum "$TMP/vela" | cut -c1-12)" | tee -a "$OUT_DIR/meta.txt" >&2
  mkdir -p "$TMP/vela-data"
  log "$label: vela serve on http $host:$http, rtmp 127.0.0.1:$rtmp, srt $host:$srt, webrtc $host:$webrtc${netns[*]:+ (namespace $NETNS, $LOSS_PCT % UDP loss)}"
  local extra=() kv
  for kv in $VELA_SET; do extra+=(--set "$kv"); done
  ${netns[@]+"${netns[@]}"} $NICE "$TMP/vela" serve --set "http.listen=$host:$http" --set "rtmp.listen=127.0.0.1:$rtmp" \
    --set "srt.listen=$host:$srt" --set "webrtc.listen=$host:$webrtc" --set "storage.data_dir=$TMP/vela-data" \
    "${extra[@]+"${extra[@]}"}" \
    >"$TMP/$label-server.log" 2>&1 &
  local server=$!
  remember "$server" "vela serve"
  wait_http "http://$host:$http/healthz" 20 || { tail -20 "$TMP/$label-server.log" >&2; die "vela did not start"; }
  local url="rtmp://127.0.0.1:$rtmp/live/$STREAM"
  [[ $ingest == srt* ]] && url="srt://$host:$srt?streamid=publish:live/$STREAM"
  if [[ $ingest == whip ]]; then
    start_whip_sender "$label" "http://$host:$http/whip/$STREAM"
  else
    start_sender "$label" "$url" "$GOP"
  fi
  wait_http "http://$host:$http/live/$STREAM/index.m3u8" 30 || { tail -20 "$TMP/$label-sender.log" "$TMP/$label-server.log" >&2; die "no playlist from vela"; }
  local rc=0 page="http://$host:$http/watch/$STREAM" opts=(--ttff "$TTFF_RELOADS")
  case $play in
    whep) page+="?protocol=webrtc" opts+=(--expect-protocol webrtc) ;;
    whep-nosync) page+="?protocol=webrtc&lip_sync=off" opts+=(--expect-protocol webrtc) ;;
  esac
  run_probe "$label" "$page" "$server" "${opts[@]}" || rc=$?
  [[ $ingest == srt* ]] && curl -fsS "http://$host:$http/api/v1/streams" >"$OUT_DIR/$label-streams.json" || true
  stop_and_forget "$SENDER_PID" "$server"
  cat "$TMP/$label-sender.log" >&2
  [[ -n ${NETNS:-} ]] && remove_netns
  return $rc
}

remove_netns() {
  netns_down "$NETNS"
  NETNS=""
}

run_nginx() { # label fragment_ms gop
  local label=$1 frag=$2 gop=$3 http rtmp
  local dir="$TMP/$label"
  read -r http rtmp < <(free_ports 2)
  mkdir -p "$dir/hls" "$dir/www" "$dir/temp"
  cp "$HERE/nginx/player.html" "$dir/www/"
  cp "$HERE/node_modules/hls.js/dist/hls.min.js" "$dir/www/"
  cat >"$dir/nginx.conf" <<EOF
load_module $NGINX_RTMP_MODULE;
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 256; }
rtmp {
  server {
    listen 127.0.0.1:$rtmp;
    chunk_size 4096;
    application live {
      live on;
      record off;
      hls on;
      hls_path $dir/hls;
      hls_fragment ${frag}ms;
      hls_playlist_length ${NGINX_PLAYLIST_S}s;
    }
  }
}
http {
  access_log off;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  types {
    text/html html;
    application/javascript js;
    application/vnd.apple.mpegurl m3u8;
    video/mp2t ts;
  }
  server {
    listen 127.0.0.1:$http;
    location /hls/ {
      alias $dir/hls/;
      add_header Cache-Control no-cache;
      add_header Access-Control-Allow-Origin *;
    }
    location / {
      root $dir/www;
    }
  }
}
EOF
  nginx -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" || die "nginx config test failed ($dir/nginx.conf)"
  log "$label: nginx-rtmp on http 127.0.0.1:$http, rtmp 127.0.0.1:$rtmp, hls_fragment ${frag}ms, GOP $gop frames"
  $NICE nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$TMP/$label-server.log" 2>&1 &
  local server=$!
  remember "$server" "$label nginx"
  wait_http "http://127.0.0.1:$http/player.html" 20 || { cat "$dir/error.log" >&2; die "nginx did not start"; }
  start_sender "$label" "rtmp://127.0.0.1:$rtmp/live/$STREAM" "$gop"
  wait_http "http://127.0.0.1:$http/hls/$STREAM.m3u8" 30 || { tail -20 "$TMP/$label-sender.log" "$dir/error.log" >&2; die "no playlist from nginx"; }
  local rc=0
  run_probe "$label" "http://127.0.0.1:$http/player.html?src=/hls/$STREAM.m3u8" "$server" || rc=$?
  cp "$dir/nginx.conf" "$OUT_DIR/$label-nginx.conf"
  stop_and_forget "$SENDER_PID" "$server"
  cat "$TMP/$label-sender.log" >&2
  return $rc
}

# --- run --------------------------------------------------------------------------------------
mkdir -p "$OUT_DIR"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
  echo "vela: $VELA_BIN ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet -- src 2>/dev/null || echo ' + uncommitted src changes'))"
  echo "nginx: $(nginx -v 2>&1 | cut -d/ -f2), rtmp module $(dpkg-query -W -f='${Version}' libnginx-mod-rtmp 2>/dev/null)"
  echo "ffmpeg: $(ffmpeg -version | head -1 | cut -d' ' -f3)"
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | grep -o 'Chromium [0-9.]*')"
  echo "hls.js: $(node -p 'require("'"$HERE"'/node_modules/hls.js/package.json").version')"
  echo "playwright-core: $(node -p 'require("'"$HERE"'/node_modules/playwright-core/package.json").version')"
  echo "sender: ${SIZE} yuv420p ${FPS} fps, libx264 veryfast zerolatency crf 23, GOP $GOP (nginx-small: GOP $(((NGINX_SMALL_FRAGMENT_MS * FPS + 999) / 1000))), AAC sine"
  [[ " $SYSTEMS " == *" vela-whip-whep"* ]] && echo "WHIP sender: Chromium canvas ${SIZE} ${FPS} fps, H.264 max ${WHIP_MAX_BITRATE} b/s, maintain-resolution, Opus (WebAudio 440 Hz)"
  echo "probe: warmup ${WARMUP_S} s, measure ${MEASURE_S} s${BENCH_NICE:+, nice $BENCH_NICE}"
  echo "vela overrides: ${VELA_SET:-none}"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT_DIR/meta.txt" >&2

log "self-test of the time code through x264"
node "$HERE/selftest.mjs" --size "$SIZE" | tee "$OUT_DIR/selftest.txt" >&2

failed=()
for system in $SYSTEMS; do
  case $system in
    vela) run_vela vela rtmp || failed+=("$system") ;;
    vela-srt) run_vela vela-srt srt || failed+=("$system") ;;
    vela-srt-loss) run_vela vela-srt-loss srt-loss || failed+=("$system") ;;
    vela-whep) run_vela vela-whep rtmp whep || failed+=("$system") ;;
    vela-whip-whep) run_vela vela-whip-whep whip whep || failed+=("$system") ;;
    vela-whep-nosync) run_vela vela-whep-nosync rtmp whep-nosync || failed+=("$system") ;;
    vela-whip-whep-nosync) run_vela vela-whip-whep-nosync whip whep-nosync || failed+=("$system") ;;
    nginx) run_nginx nginx "$NGINX_FRAGMENT_MS" "$GOP" || failed+=("$system") ;;
    nginx-small) run_nginx nginx-small "$NGINX_SMALL_FRAGMENT_MS" "$(((NGINX_SMALL_FRAGMENT_MS * FPS + 999) / 1000))" || failed+=("$system") ;;
    *) die "unknown system $system" ;;
  esac
done

jsons=()
for system in $SYSTEMS; do [[ -f $OUT_DIR/$system.json ]] && jsons+=("$OUT_DIR/$system.json"); done
echo
cat "$OUT_DIR/meta.txt"
echo
((${#jsons[@]})) && node "$HERE/report.mjs" "${jsons[@]}" | tee "$OUT_DIR/table.md"
echo
echo "results: $OUT_DIR"
((${#failed[@]} == 0)) || die "failed: ${failed[*]}"
