#pragma once
// SDP offer/answer for Vela's side of WHIP (RFC 9725) and WHEP: the client POSTs an
// offer, Vela answers as an ICE-lite, BUNDLE-only, rtcp-mux-only endpoint.
//
// For each offered m-section, in order:
//   audio -> Opus 48000/2 (the offer's payload type and fmtp, e.g. minptime/useinbandfec)
//   video -> H.264 packetization-mode=1, the best offered profile (h264_profile.hpp),
//            plus its RTX payload type (apt=) when offered
//   rtcp-fb kept only for what LocalParameters::feedback says we implement;
//   extmap kept only for mid, abs-send-time, transport-wide-cc, with the offer's ids
//     (which must mean the same extension in every accepted section);
//   direction reversed (WHIP: sendonly -> recvonly; WHEP: recvonly -> sendonly).
// A section Vela cannot use (data channel, other codecs, a second audio/video section,
// outside the BUNDLE group, wrong direction) is rejected with port 0, and the reason is
// in Negotiated::rejected; the whole offer fails only when nothing is usable or a
// transport requirement is missing (BUNDLE, rtcp-mux, ICE credentials, fingerprint).
// DTLS: offer actpass -> our preferred role (server, a=setup:passive, by default);
// offer passive -> we are the client (active); offer active -> we are the server.
// Pure and deterministic: same offer and parameters, same answer bytes (CRLF).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "protocol/sdp/sdp.hpp"

namespace vela::protocol::sdp {

enum class ServerRole { ingest, playback };  // WHIP: we receive; WHEP: we send
enum class DtlsRole { server, client };
enum class CandidateTransport { udp, tcp };  // tcp candidates are "tcptype passive"
enum class MediaKind { audio, video };

std::string_view to_string(DtlsRole role);
std::string_view to_string(MediaKind kind);

inline constexpr size_t kMaxLocalCandidates = 16;

struct LocalCandidate {
  std::string address;  // an IP literal (webrtc.public_ips or the bound address)
  uint16_t port = 0;    // the UDP port of the shard that owns the session, or the TCP port
  CandidateTransport transport = CandidateTransport::udp;
};

// The RTCP feedback Vela implements; only these are kept from the offer.
struct FeedbackSupport {
  bool nack = true;          // "nack" (generic NACK; RTX is answered when offered)
  bool pli = true;           // "nack pli"
  bool fir = true;           // "ccm fir"
  bool transport_cc = true;  // "transport-cc" and the transport-wide-cc extension
  bool goog_remb = false;    // "goog-remb"
};

// WHEP only: the sources we send with (0 = not announced with a=ssrc).
struct LocalSendSources {
  uint32_t audio_ssrc = 0;
  uint32_t video_ssrc = 0;
  uint32_t video_rtx_ssrc = 0;
  std::string cname = "vela";
  std::string stream_id = "vela";  // a=msid:<stream_id> <kind>
  // When set, audio is announced in a stream of its own (a=msid:<audio_stream_id> audio):
  // browsers then play it without lip sync, so video is not held back to wait for audio.
  std::string audio_stream_id;
};

struct LocalParameters {
  std::string ice_ufrag;           // 4-256 ice-chars
  std::string ice_pwd;             // 22-256 ice-chars
  std::string fingerprint_sha256;  // "AB:CD:..." 32 bytes, our DTLS certificate
  std::vector<LocalCandidate> candidates;
  uint64_t session_id = 0;  // o= sess-id; callers choose it (random per session)
  DtlsRole preferred_dtls_role = DtlsRole::server;  // used when the offer says actpass
  FeedbackSupport feedback;
  LocalSendSources send;
};

struct HeaderExtensionIds {  // 0 = not negotiated
  uint16_t mid = 0;
  uint16_t abs_send_time = 0;
  uint16_t transport_cc = 0;
};

struct RemoteSource {  // an SSRC the remote announced with a=ssrc, and its RTX (FID)
  uint32_t ssrc = 0;
  std::optional<uint32_t> rtx_ssrc;
  std::string cname;
};

struct NegotiatedMedia {
  size_t index = 0;  // position of the m-section in offer and answer
  std::string mid;
  MediaKind kind = MediaKind::audio;
  Direction direction = Direction::recvonly;  // ours, as written in the answer
  uint8_t payload_type = 0;
  std::string encoding;  // as the offer spelled it ("opus", "H264")
  uint32_t clock_rate = 0;
  uint32_t channels = 0;
  std::string fmtp;                   // as answered
  std::string h264_profile_level_id;  // video: the chosen one, lower-case hex
  std::optional<uint8_t> rtx_payload_type;
  bool nack = false, pli = false, fir = false, transport_cc = false, goog_remb = false;
  HeaderExtensionIds extensions;
  std::vector<RemoteSource> remote_sources;
};

struct RejectedMedia {
  size_t index = 0;
  std::string mid;
  std::string media;
  std::string reason;
};

struct Negotiated {
  std::vector<NegotiatedMedia> media;  // accepted sections, in m-line order
  std::vector<RejectedMedia> rejected;
  std::vector<std::string> bundle_mids;  // the answer's BUNDLE group
  HeaderExtensionIds extensions;         // the same in every accepted section (checked)
  std::string remote_ice_ufrag;
  std::string remote_ice_pwd;
  std::vector<std::string> remote_candidates;  // "a=candidate:" text from the offer
  Fingerprint remote_fingerprint;
  DtlsRole dtls_role = DtlsRole::server;  // ours
};

struct Answer {
  SessionDescription sdp;
  std::string text;  // write_sdp(sdp)
  Negotiated negotiated;
};

base::Result<Answer> negotiate_answer(const SessionDescription& offer, const LocalParameters& local,
                                      ServerRole role);

}  // namespace vela::protocol::sdp
