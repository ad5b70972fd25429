#pragma once
// Renders a SessionDescription as SDP text: CRLF line endings, a fixed line order
// (session lines, then each media section: m=, c=, mid, transport, direction, msid,
// rtcp-mux, extmaps, per payload rtpmap/rtcp-fb/fmtp, ssrcs, candidates, the rest), so
// the same model always gives the same bytes. Whatever parse_sdp() accepts renders to
// text that parse_sdp() accepts again.
#include <string>

#include "protocol/sdp/sdp.hpp"

namespace vela::protocol::sdp {

std::string write_sdp(const SessionDescription& session);

}  // namespace vela::protocol::sdp
