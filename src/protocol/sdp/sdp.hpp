#pragma once
// SDP (RFC 8866) as WebRTC uses it: a session description model and a parser for the
// offers WHIP/WHEP clients POST. Tolerant where clients differ (CRLF or LF, blank lines,
// unknown line types and attributes are kept or ignored), strict where a mistake would
// mislead negotiation (malformed m=, rtpmap, fmtp, extmap, fingerprint, ssrc lines are
// errors naming the line). Bounded: size, line count, media sections, attributes.
// Pure: no sockets, never throws; errors are values.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace vela::protocol::sdp {

// Browser offers are 3–15 KiB; anything past these limits is refused before negotiation.
inline constexpr size_t kMaxSdpSize = 64 * 1024;
inline constexpr size_t kMaxLines = 4096;
inline constexpr size_t kMaxMediaSections = 32;
inline constexpr size_t kMaxAttributesPerSection = 512;  // a= lines per section

enum class Direction { sendrecv, sendonly, recvonly, inactive };
// DTLS role negotiation (RFC 4145 / RFC 8842). none: the attribute is absent.
enum class Setup { none, actpass, active, passive, holdconn };

std::string_view to_string(Direction direction);
std::string_view to_string(Setup setup);

// An attribute kept as text: "a=name" (value empty, has_value false) or "a=name:value".
struct Attribute {
  std::string name;
  std::string value;
  bool has_value = false;
};

struct Origin {  // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>
  std::string username = "-";
  std::string session_id = "0";
  std::string session_version = "0";
  std::string net_type = "IN";
  std::string address_type = "IP4";
  std::string address = "0.0.0.0";
};

struct Connection {  // c=<nettype> <addrtype> <address>
  std::string net_type = "IN";
  std::string address_type = "IP4";
  std::string address = "0.0.0.0";
};

// One RTP payload type of a media section: its rtpmap, fmtp and rtcp-fb lines.
struct PayloadFormat {
  uint8_t payload_type = 0;
  std::string encoding;              // as written ("H264", "opus", "rtx"); empty without rtpmap
  uint32_t clock_rate = 0;           // 0 without rtpmap
  uint32_t channels = 0;             // 0 when the rtpmap names none
  std::string fmtp;                  // the parameters after "a=fmtp:<pt> ", as written
  std::vector<std::string> rtcp_fb;  // "nack", "nack pli", "ccm fir", "transport-cc", ...
};

struct ExtMap {  // a=extmap:<id>[/<direction>] <uri> [<attributes>]
  uint16_t id = 0;
  std::string direction;  // empty, or sendonly/recvonly/sendrecv/inactive as written
  std::string uri;
  std::string attributes;
};

struct Fingerprint {      // a=fingerprint:<algorithm> <AB:CD:...>
  std::string algorithm;  // lower-cased: "sha-256"
  std::string value;      // upper-cased hex pairs joined by ':'
};

struct IceParameters {
  std::string ufrag;
  std::string pwd;
  std::string options;  // "trickle", "trickle renomination", ...
};

struct Group {            // a=group:<semantics> <mid> ...
  std::string semantics;  // "BUNDLE", "LS"
  std::vector<std::string> mids;
};

struct SsrcAttribute {  // a=ssrc:<ssrc> <name>[:<value>]
  uint32_t ssrc = 0;
  std::string name;  // "cname", "msid"
  std::string value;
};

struct SsrcGroup {        // a=ssrc-group:<semantics> <ssrc> ...
  std::string semantics;  // "FID" (RTX), "SIM", "FEC-FR"
  std::vector<uint32_t> ssrcs;
};

struct MediaDescription {
  std::string media;  // "audio", "video", "application"
  uint16_t port = 0;
  std::optional<uint16_t> port_count;  // "9/2"
  std::string protocol;                // "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP"
  std::vector<std::string> formats;    // the m= line's fmt list, as written
  std::optional<Connection> connection;

  std::string mid;
  std::optional<Direction> direction;   // absent means sendrecv (RFC 8866)
  std::vector<PayloadFormat> payloads;  // RTP sections: one per m= format, m= order
  std::vector<ExtMap> extmaps;
  IceParameters ice;
  std::vector<Fingerprint> fingerprints;
  Setup setup = Setup::none;
  bool rtcp_mux = false;
  bool rtcp_rsize = false;
  bool bundle_only = false;
  std::string msid;
  std::vector<SsrcAttribute> ssrcs;
  std::vector<SsrcGroup> ssrc_groups;
  std::vector<std::string> candidates;  // the text after "a=candidate:"
  bool end_of_candidates = false;
  std::vector<Attribute> other;  // everything else, in order

  bool is_rtp() const;  // protocol is RTP/AVP-family (payload types are numbers)
  Direction effective_direction() const { return direction.value_or(Direction::sendrecv); }
  const PayloadFormat* payload(uint8_t payload_type) const;
};

struct SessionDescription {
  Origin origin;
  std::string session_name = "-";
  std::string timing = "0 0";
  std::optional<Connection> connection;

  std::vector<Group> groups;
  bool ice_lite = false;
  IceParameters ice;
  std::vector<Fingerprint> fingerprints;
  Setup setup = Setup::none;
  std::string msid_semantic;  // the value of a=msid-semantic:, e.g. " WMS *"
  bool extmap_allow_mixed = false;
  std::vector<ExtMap> extmaps;  // session-level extmaps apply to every section (RFC 8285)
  std::vector<Attribute> other;

  std::vector<MediaDescription> media;

  const Group* bundle_group() const;  // the first a=group:BUNDLE, if any
};

base::Result<SessionDescription> parse_sdp(std::string_view text);

}  // namespace vela::protocol::sdp
