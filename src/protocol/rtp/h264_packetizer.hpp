#pragma once
// H.264 RTP payloads (RFC 6184, packetization-mode 1) from one AVCC access unit: a NAL
// unit that fits goes alone (single NAL unit packet), consecutive small ones are
// aggregated (STAP-A, e.g. SPS + PPS + SEI before an IDR slice), a large one is fragmented
// (FU-A, fragments of near-equal size). Run once per stream rendition: the payloads are
// immutable shared Buffers, and each viewer only writes its own RTP header in front.
// Single NAL unit payloads are slices of the access unit's Buffer (no copy); STAP-A and
// FU-A payloads share one new allocation per access unit.
#include <cstddef>
#include <vector>

#include "base/buffer.hpp"
#include "base/result.hpp"

namespace vela::protocol::rtp {

inline constexpr size_t kDefaultMaxRtpPayload = 1200;

struct RtpPayload {
  base::Buffer data;
  bool marker = false;  // the last payload of the access unit
};

// Packetizes one access unit (4-byte length-prefixed NAL units). Fails on malformed AVCC
// framing, an empty unit, or max_payload < 3 (FU-A needs two header bytes + one byte).
base::Result<std::vector<RtpPayload>> packetize_h264(const base::Buffer& access_unit,
                                                     size_t max_payload = kDefaultMaxRtpPayload);

}  // namespace vela::protocol::rtp
