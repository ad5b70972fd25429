// DTLS transport, server role (what a browser's ClientHello meets): fuzz bytes as a
// sequence of datagrams must never crash it, and whatever it sends stays a DTLS datagram
// within the MTU. Input: datagrams, each a 2-byte big-endian length then that many bytes;
// a length running past the end takes the rest. The certificates are made once.
#include "protocol/dtls/dtls_transport.hpp"

#include <cstdint>
#include <memory>
#include <span>

#include "protocol/dtls/packet_kind.hpp"

using namespace vela::protocol::dtls;

namespace {

std::shared_ptr<const DtlsCertificate> certificate() {
  static const auto cert = DtlsCertificate::generate();
  if (!cert) __builtin_trap();
  return *cert;
}

void check(const DtlsTransport::Output& out) {
  for (const auto& d : out.datagrams) {
    if (d.empty() || d.size() > kDtlsMtu || classify_packet(d) != PacketKind::dtls) {
      __builtin_trap();
    }
  }
  if (out.failed && out.failed->empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DtlsTransport transport(certificate(), DtlsTransportRole::server,
                          "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                          "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  check(transport.start());
  std::span<const uint8_t> in(data, size);
  while (!in.empty()) {
    size_t length = in.size();
    if (in.size() >= 2) {
      length = std::min<size_t>((size_t{in[0]} << 8) | in[1], in.size() - 2);
      in = in.subspan(2);
    }
    auto out = transport.on_datagram(in.first(length));
    check(out);
    if (out.connected_now && !transport.keys()) __builtin_trap();
    in = in.subspan(length);
  }
  check(transport.on_timer());
  check(transport.close());
  return 0;
}
