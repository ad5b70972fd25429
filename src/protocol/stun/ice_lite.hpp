#pragma once
// One ICE-lite session (RFC 8445 sections 2.5 and 7.3): the server side of a WebRTC
// peer connection. A lite agent never sends checks and is always the controlled agent; it
// answers the binding requests the browser (a full, controlling agent) sends and learns
// from them which remote address to use:
//   - a request authenticated with the local password gets a success response carrying
//     XOR-MAPPED-ADDRESS of the address it came from (ICE-lite answers the address a
//     check really comes from), MESSAGE-INTEGRITY and FINGERPRINT;
//   - USE-CANDIDATE nominates that address as the selected path; a later nominating
//     check from another address moves it (network change, renomination);
//   - a request that also claims the controlled role (ICE-CONTROLLED) is a role conflict
//     a lite agent cannot resolve by switching: it is answered 487;
//   - consent freshness (RFC 7675): the session stays alive while authenticated checks
//     keep arriving (after nomination, from the selected address); expired(now) once
//     none arrived for consent_timeout_ms, or when no check at all succeeded within
//     connect_timeout_ms of creation.
//
// Pure: the caller passes bytes, the source address and a monotonic time in
// milliseconds, and sends what comes back. Single-owner, not thread-safe.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "protocol/stun/socket_address.hpp"

namespace vela::protocol::stun {

struct IceCredentials {
  std::string ufrag;
  std::string pwd;
};

struct IceLiteConfig {
  int64_t consent_timeout_ms = 30'000;  // RFC 7675 section 5.1
  int64_t connect_timeout_ms = 30'000;  // until the first successful check
};

// The USERNAME of a binding request, "<receiver ufrag>:<sender ufrag>" (RFC 8445 7.2.2):
// for the server, local is its own ufrag (the key that finds the session), remote the
// browser's. Views into the bytes passed to ice_username().
struct IceUsername {
  std::string_view local;
  std::string_view remote;
};

// Extracts the ICE username of a STUN binding request, so the session layer can find
// the session by local ufrag before it knows the peer's address. Does not authenticate;
// errors on anything that is not a binding request with a "local:remote" USERNAME.
base::Result<IceUsername> ice_username(std::span<const uint8_t> bytes);

class IceLiteAgent {
 public:
  struct CheckOutcome {
    std::vector<uint8_t> response;  // send to the address the request came from
    bool authenticated = false;     // a success response: consent refreshed
    bool nominated = false;         // this check selected (or re-selected) its address
    std::optional<uint16_t> error;  // the error code answered, when not a success
  };

  IceLiteAgent(IceCredentials local, IceCredentials remote, int64_t created_ms,
               IceLiteConfig config = {});

  // Handles one STUN binding request from `from`. Returns the response to send, which
  // may be an error response (400, 401, 420, 487). Errors (send nothing) when the bytes
  // are not a parseable binding request, carry a wrong FINGERPRINT, or the session has
  // expired.
  base::Result<CheckOutcome> on_binding_request(std::span<const uint8_t> bytes,
                                                const SocketAddress& from, int64_t now_ms);

  // Whether consent has lapsed (or the session never connected in time). Final: once
  // true the session is to be closed; later requests are refused.
  bool expired(int64_t now_ms) const;

  // The nominated remote address: where media goes. Empty until a USE-CANDIDATE check.
  const std::optional<SocketAddress>& selected() const { return selected_; }
  bool connected() const { return last_consent_ms_.has_value(); }
  std::optional<int64_t> last_consent_ms() const { return last_consent_ms_; }

  const IceCredentials& local() const { return local_; }
  const IceCredentials& remote() const { return remote_; }
  // The peer's credentials may arrive later (trickle, ICE restart via SDP).
  void set_remote(IceCredentials remote) { remote_ = std::move(remote); }

 private:
  IceCredentials local_;
  IceCredentials remote_;
  int64_t created_ms_;
  IceLiteConfig config_;
  std::optional<int64_t> last_consent_ms_;
  std::optional<SocketAddress> selected_;
};

}  // namespace vela::protocol::stun
