#pragma once
// The SDP side of `vela bench whep-load`: the offer a WHEP viewer POSTs (shaped like
// Chromium's for a recvonly audio + video transceiver pair), the answer a viewer gives
// when the server offers instead (Janus's streaming plugin), and the few facts the
// generator needs from the server's description: ICE credentials, DTLS fingerprint and
// role, the UDP host candidates, and the payload types and header extension ids in use.
// Pure: no sockets, no clocks; malformed descriptions are error values.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "protocol/dtls/dtls_transport.hpp"

namespace vela::bench {

// What the viewer says about itself in its description.
struct LocalDescriptionParams {
  std::string ice_ufrag;         // 4..256 ICE chars; see make_ice_credential()
  std::string ice_pwd;           // at least 22 ICE chars
  std::string fingerprint;       // sha-256 "AB:CD:..." of our DTLS certificate
  uint64_t session_id = 1;       // o= line
  std::string candidate;         // an answer's "a=candidate:" value; empty: none
};

// The recvonly offer: BUNDLE 0 1, rtcp-mux, extmap-allow-mixed, audio Opus pt 111, video
// H.264 pt 102 (constrained baseline 3.1, packetization-mode=1) with RTX pt 103, mid,
// abs-send-time and transport-cc header extensions, setup:actpass, no candidates
// (the server is ICE-lite: we only send checks).
std::string build_whep_offer(const LocalDescriptionParams& local);

struct RemoteCandidate {
  std::string address;  // numeric IPv4 or IPv6
  uint16_t port = 0;
  uint32_t priority = 0;
};

// What the generator needs from the server's description (offer or answer).
struct RemoteDescription {
  std::string ice_ufrag;
  std::string ice_pwd;
  std::string fingerprint;  // sha-256 value
  protocol::dtls::DtlsTransportRole our_role = protocol::dtls::DtlsTransportRole::client;
  std::vector<RemoteCandidate> candidates;  // UDP only, highest priority first
  bool ice_lite = false;
  // Payload types; 0 when absent (an audio-only or video-only description is allowed).
  uint8_t audio_pt = 0;
  uint8_t video_pt = 0;
  uint8_t video_rtx_pt = 0;
  std::string audio_mid = "0";
  std::string video_mid = "1";
  std::string video_fmtp;   // the H.264 fmtp line's parameters (for an answer)
  uint8_t transport_cc_id = 0;  // header extension ids, 0 when not negotiated
  uint8_t abs_send_time_id = 0;
  uint8_t mid_id = 0;
  bool offered_by_remote = false;  // set by the caller: the remote sent the offer
};

// Reads a server's answer (or offer). Errors: unparsable SDP, no ice-ufrag/pwd, no sha-256
// fingerprint, no UDP candidate, neither audio nor video, setup that leaves no DTLS role.
// For an answer, setup:passive makes us the DTLS client and active the server; for an
// offer (actpass or passive) we answer active and are the client.
base::Result<RemoteDescription> parse_remote_description(std::string_view sdp, bool is_offer);

// The viewer's answer to a server's offer (Janus sends the offer): recvonly, same mids,
// the offered payload types and extension ids, setup:active.
std::string build_answer(const LocalDescriptionParams& local, const RemoteDescription& offer);

// One "a=candidate:" value -> a UDP host/srflx candidate; nullopt for TCP or malformed.
std::optional<RemoteCandidate> parse_candidate(std::string_view value);

// A random ICE credential of `length` characters from [A-Za-z0-9+/].
std::string make_ice_credential(size_t length, uint64_t seed);

}  // namespace vela::bench
