# Network namespaces for benchmarks that need a lossy link (sourced, not run). Needs root
# and iproute2. A namespace is joined to this one by a veth pair; servers run inside it
# (`ip netns exec`), so they never listen on this machine's own interfaces.

# netns_up NAME HOST_ADDR NS_ADDR: namespace NAME with NS_ADDR/30, reachable from here at
# HOST_ADDR/30 (e.g. 10.213.0.1 and 10.213.0.2). Its loopback is up too.
netns_up() {
  local name=$1 host_addr=$2 ns_addr=$3
  local host_if="vh${name: -10}" ns_if="vn${name: -10}"
  ip netns add "$name"
  ip link add "$host_if" type veth peer name "$ns_if"
  ip link set "$ns_if" netns "$name"
  ip addr add "$host_addr/30" dev "$host_if"
  ip link set "$host_if" up
  ip netns exec "$name" ip addr add "$ns_addr/30" dev "$ns_if"
  ip netns exec "$name" ip link set "$ns_if" up
  ip netns exec "$name" ip link set lo up
}

# netns_udp_loss NAME PERCENT [DELAY_MS]: drop PERCENT % of UDP packets (optionally
# delayed) in both directions of NAME's link; TCP (the HTTP side) is left alone.
netns_udp_loss() {
  local name=$1 percent=$2 delay_ms=${3:-0}
  local host_if="vh${name: -10}" ns_if="vn${name: -10}"
  local netem=(netem loss "${percent}%")
  ((delay_ms > 0)) && netem+=(delay "${delay_ms}ms")
  local run
  for run in "" "ip netns exec $name"; do
    local dev=$host_if
    [[ -n $run ]] && dev=$ns_if
    # Three bands, everything in band 2 by default; UDP goes to band 3, which has netem.
    $run tc qdisc add dev "$dev" root handle 1: prio bands 3 priomap 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1
    $run tc qdisc add dev "$dev" parent 1:3 handle 30: "${netem[@]}"
    $run tc filter add dev "$dev" parent 1:0 protocol ip prio 1 u32 match ip protocol 17 0xff flowid 1:3
  done
}

# netns_down NAME: removes the namespace (its veth pair goes with it).
netns_down() {
  ip netns del "$1" 2>/dev/null || true
}
