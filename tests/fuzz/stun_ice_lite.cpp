// ICE-lite agent: any datagram as a binding request must either be refused or produce a
// well-formed response with a valid FINGERPRINT (and MESSAGE-INTEGRITY on success), and
// only an authenticated check may select a path or refresh consent.
#include <cstdint>
#include <span>

#include "protocol/stun/ice_lite.hpp"
#include "protocol/stun/stun_message.hpp"

using namespace vela::protocol::stun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  IceLiteAgent agent({"srvU", "server-password-0123456"}, {"brwU", "browser-password"}, 0);
  auto from = SocketAddress::ipv4({203, 0, 113, 7}, 40000);
  (void)ice_username(bytes);
  auto outcome = agent.on_binding_request(bytes, from, 1000);
  if (!outcome) {
    if (agent.connected() || agent.selected()) __builtin_trap();
    return 0;
  }
  auto response = parse_message(outcome->response);
  if (!response || !verify_fingerprint(outcome->response, *response)) __builtin_trap();
  if (outcome->authenticated) {
    if (outcome->error || response->message_class != MessageClass::success) __builtin_trap();
    if (response->xor_mapped_address != from) __builtin_trap();
    if (!verify_integrity(outcome->response, *response, agent.local().pwd)) __builtin_trap();
    if (!agent.connected() || agent.expired(1000)) __builtin_trap();
  } else {
    if (!outcome->error || response->message_class != MessageClass::error) __builtin_trap();
    if (outcome->nominated || agent.connected() || agent.selected()) __builtin_trap();
  }
  if (outcome->nominated != (agent.selected() == from)) __builtin_trap();
  return 0;
}
