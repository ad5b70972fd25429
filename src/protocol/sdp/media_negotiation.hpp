#pragma once
// One m-section of an offer -> the answer's m-section (without transport lines, port and
// candidates, which sdp_answer adds) and what it negotiated, or why it is rejected.
#include <optional>
#include <string>

#include "protocol/sdp/sdp.hpp"
#include "protocol/sdp/sdp_answer.hpp"

namespace vela::protocol::sdp {

inline constexpr std::string_view kExtMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr std::string_view kExtAbsSendTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr std::string_view kExtTransportCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

struct MediaOutcome {
  MediaDescription section;                 // the answer's section (accepted only)
  std::optional<NegotiatedMedia> accepted;  // set when usable
  std::string reason;                       // why not, otherwise
};

// session supplies session-level extmaps. The caller has already checked BUNDLE
// membership, port 0 and duplicate kinds.
MediaOutcome negotiate_media(const MediaDescription& offered, const SessionDescription& session,
                             const LocalParameters& local, ServerRole role);

}  // namespace vela::protocol::sdp
