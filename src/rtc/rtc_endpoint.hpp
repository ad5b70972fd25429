#pragma once
// The signaling side of Vela's WebRTC transport, shared by WHIP and WHEP: answers an SDP
// offer as an ICE-lite, BUNDLE-only endpoint and creates the peer connection on the
// shard that handles the HTTP request, registered with that shard's port (the answer's
// candidates name that port). Session ids carry their shard ("<shard>-<hex>"), so a
// PATCH or DELETE arriving on any shard reaches the right one.
//
// Threading: accept_offer() on the shard it names; with_session() from any shard. The
// certificate and options are immutable after construction.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "protocol/dtls/dtls_certificate.hpp"
#include "protocol/sdp/sdp_answer.hpp"
#include "rtc/peer_connection.hpp"
#include "rtc/rtc_port.hpp"
#include "runtime/shard.hpp"

namespace vela::rtc {

struct RtcEndpointOptions {
  std::vector<std::string> candidate_addresses;  // IP literals advertised in candidates
  bool tcp_candidates = true;                    // ICE-TCP passive candidates on the same port
  protocol::stun::IceLiteConfig ice;
};

struct AcceptedOffer {
  std::shared_ptr<PeerConnection> connection;  // registered with the shard's port
  protocol::sdp::Answer answer;
};

class RtcEndpoint {
 public:
  // ports[i] belongs to shard i.
  RtcEndpoint(runtime::ShardSet& shards, std::vector<RtcPort*> ports,
              std::shared_ptr<const protocol::dtls::DtlsCertificate> certificate, RtcEndpointOptions options);

  // Shard `shard`: parses and answers the offer; the connection waits for ICE checks.
  // Errors say what was wrong with the offer (for a 400) or that the shard is full.
  base::Result<AcceptedOffer> accept_offer(size_t shard, std::string_view offer, protocol::sdp::ServerRole role,
                                           const protocol::sdp::LocalSendSources& send);
  // In a coroutine on any shard: runs fn on the session's own shard if the session `id`
  // exists, is open and belongs to `resource`, then resumes on the caller's shard. False
  // (fn not run) when there is no such session.
  boost::asio::awaitable<bool> with_session(std::string id, std::string resource,
                                            std::function<void(PeerConnection&)> fn);

 private:
  std::optional<size_t> shard_of(const std::string& id) const;  // from "<shard>-<hex>"

  runtime::ShardSet& shards_;
  std::vector<RtcPort*> ports_;
  std::shared_ptr<const protocol::dtls::DtlsCertificate> certificate_;
  RtcEndpointOptions options_;
};

// Random ICE-safe text of `length` characters from a cryptographic source.
std::string random_ice_string(size_t length);
uint32_t random_ssrc();

}  // namespace vela::rtc
