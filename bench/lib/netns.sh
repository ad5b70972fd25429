# Network namespaces for benchmarks that need a lossy link (sourced, not run). Needs root,
# iproute2, and nftables for loss. A namespace is joined to this one by a veth pair;
# servers run inside it (`ip netns exec`), so they never listen on this machine's own
# interfaces.

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

# netns_udp_loss NAME PERCENT: drop PERCENT % (0.1 % steps) of the UDP packets entering and
# leaving namespace NAME, at random; TCP (the HTTP side) is left alone. nftables' random
# numbers, since this machine's kernel has no netem qdisc (CONFIG_NET_SCH_NETEM unset).
netns_udp_loss() {
  local name=$1 permille
  permille=$(awk -v p="$2" 'BEGIN { printf "%d", p * 10 + 0.5 }')
  command -v nft >/dev/null || { echo "netns_udp_loss: nft not found (Debian package nftables)" >&2; return 1; }
  ip netns exec "$name" nft -f - <<NFT
table inet vela_loss {
  chain in { type filter hook input priority 0; meta l4proto udp numgen random mod 1000 < $permille drop; }
  chain out { type filter hook output priority 0; meta l4proto udp numgen random mod 1000 < $permille drop; }
}
NFT
}

# netns_down NAME: removes the namespace (its veth pair goes with it).
netns_down() {
  ip netns del "$1" 2>/dev/null || true
}
