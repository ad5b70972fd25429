# Process bookkeeping shared by the benchmark scripts (sourced, not run). Every process a
# script starts is recorded in PIDS and stopped by PID on exit, newest first; nothing is
# ever stopped by name. The sourcing script defines log() and sets TMP and KEEP_TMP, and
# may set CLEANUP_HOOK to a function run after the processes are stopped.
PIDS=()
declare -A PID_NAMES=()
what_pid() { echo "${PID_NAMES[$1]:-?}"; }

# remember PID NAME: stop it on exit.
remember() {
  PIDS+=("$1")
  PID_NAMES[$1]="$2"
}

stop_pid() {
  local pid=$1 i status=0
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || status=$?
    # 127: already reaped by an earlier wait.
    if ((status != 0 && status != 127)); then log "PID $pid ($(what_pid "$pid")) had already exited with status $status"; fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 80); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "PID $pid did not stop in 8 s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || status=$?
  # 143 = stopped by our SIGTERM; anything else non-zero is worth knowing about.
  if ((status != 0 && status != 143)); then log "PID $pid ($(what_pid "$pid")) exited with status $status"; fi
}

cleanup() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  PIDS=()
  [[ -n ${CLEANUP_HOOK:-} ]] && "$CLEANUP_HOOK"
  if [[ $KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# Stops the given PIDs and drops them from PIDS.
stop_and_forget() {
  local pid keep=() p
  for pid in "$@"; do stop_pid "$pid"; done
  for p in "${PIDS[@]}"; do
    [[ " $* " == *" $p "* ]] || keep+=("$p")
  done
  PIDS=("${keep[@]+"${keep[@]}"}")
}

free_ports() {
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]);
    const servers = [];
    (async () => {
      for (let i = 0; i < n; i++) {
        const s = net.createServer();
        await new Promise((r) => s.listen(0, "127.0.0.1", r));
        servers.push(s);
      }
      console.log(servers.map((s) => s.address().port).join(" "));
      servers.forEach((s) => s.close());
    })();' "$1"
}

wait_http() { # url seconds what
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

