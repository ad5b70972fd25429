#include "rtc/rtc_endpoint.hpp"

#include <openssl/rand.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

#include "base/time.hpp"
#include "protocol/sdp/sdp.hpp"

namespace vela::rtc {

namespace sdp = protocol::sdp;

namespace {

void random_bytes(void* out, size_t size) {
  // RAND_bytes only fails when the system has no entropy at all; nothing can run then.
  if (RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(size)) != 1) std::abort();
}

std::string hex(uint64_t value) {
  char text[17];
  auto end = std::to_chars(text, text + sizeof(text), value, 16).ptr;
  return std::string(text, end);
}

}  // namespace

std::string random_ice_string(size_t length) {
  static constexpr std::string_view kIceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<uint8_t> bytes(length);
  random_bytes(bytes.data(), bytes.size());
  std::string text;
  text.reserve(length);
  for (uint8_t b : bytes) text.push_back(kIceChars[b % kIceChars.size()]);  // 64 divides 256: no bias
  return text;
}

uint32_t random_ssrc() {
  uint32_t ssrc = 0;
  while (ssrc == 0) random_bytes(&ssrc, sizeof(ssrc));
  return ssrc;
}

RtcEndpoint::RtcEndpoint(runtime::ShardSet& shards, std::vector<RtcPort*> ports,
                         std::shared_ptr<const protocol::dtls::DtlsCertificate> certificate, RtcEndpointOptions options)
    : shards_(shards), ports_(std::move(ports)), certificate_(std::move(certificate)), options_(std::move(options)) {}

base::Result<AcceptedOffer> RtcEndpoint::accept_offer(size_t shard, std::string_view offer_text, sdp::ServerRole role,
                                                      const sdp::LocalSendSources& send) {
  auto offer = sdp::parse_sdp(offer_text);
  if (!offer) return base::make_error("bad SDP offer: " + offer.error().message);
  RtcPort& port = *ports_.at(shard);

  sdp::LocalParameters local;
  local.ice_ufrag = random_ice_string(8);
  local.ice_pwd = random_ice_string(24);
  local.fingerprint_sha256 = certificate_->fingerprint_sha256();
  for (const auto& address : options_.candidate_addresses) {
    if (local.candidates.size() + 2 > sdp::kMaxLocalCandidates) break;
    local.candidates.push_back({address, port.port(), sdp::CandidateTransport::udp});
    if (options_.tcp_candidates) local.candidates.push_back({address, port.port(), sdp::CandidateTransport::tcp});
  }
  random_bytes(&local.session_id, sizeof(local.session_id));
  local.session_id &= 0x7fffffffffffffffULL;  // sess-id is a positive decimal number
  local.send = send;

  auto answer = sdp::negotiate_answer(*offer, local, role);
  if (!answer) return base::make_error(answer.error().message);

  uint64_t id_bits = 0;
  random_bytes(&id_bits, sizeof(id_bits));
  PeerConnectionParams params;
  params.id = std::to_string(shard) + "-" + hex(id_bits);
  params.local_ice = {local.ice_ufrag, local.ice_pwd};
  params.remote_ice = {answer->negotiated.remote_ice_ufrag, answer->negotiated.remote_ice_pwd};
  params.certificate = certificate_;
  params.dtls_role = answer->negotiated.dtls_role == sdp::DtlsRole::server ? protocol::dtls::DtlsTransportRole::server
                                                                           : protocol::dtls::DtlsTransportRole::client;
  params.remote_fingerprint = answer->negotiated.remote_fingerprint.value;
  params.ice = options_.ice;
  auto connection = std::make_shared<PeerConnection>(std::move(params), port, base::monotonic_micros());
  if (base::Status added = port.add(connection); !added) return added.error();
  return AcceptedOffer{std::move(connection), std::move(*answer)};
}

std::optional<size_t> RtcEndpoint::shard_of(const std::string& id) const {
  size_t shard = 0;
  auto dash = id.find('-');
  if (dash == std::string::npos) return std::nullopt;
  auto [end, ec] = std::from_chars(id.data(), id.data() + dash, shard);
  if (ec != std::errc() || end != id.data() + dash || shard >= ports_.size()) return std::nullopt;
  return shard;
}

boost::asio::awaitable<bool> RtcEndpoint::with_session(std::string id, std::string resource,
                                                       std::function<void(PeerConnection&)> fn) {
  auto shard = shard_of(id);
  if (!shard) co_return false;
  // Look and act on the session's shard, then resume here. (A co_await of post() to another
  // executor would not move this coroutine: its completion comes back to the caller's.)
  RtcPort* port = ports_[*shard];
  co_return co_await boost::asio::co_spawn(
      shards_.at(*shard).io(),
      [&]() -> boost::asio::awaitable<bool> {
        auto connection = port->find(id);
        bool found = connection && !connection->closed() && connection->resource() == resource;
        if (found) fn(*connection);
        co_return found;
      },
      boost::asio::use_awaitable);
}

}  // namespace vela::rtc
