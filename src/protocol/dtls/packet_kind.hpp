#pragma once
// RFC 7983 demultiplexing: which protocol one datagram on a WebRTC port carries, judged by
// its first byte (and, for RTP versus RTCP, its second):
//   0..3      STUN                           (at least 20 bytes: a STUN header)
//   20..63    DTLS                           (at least 13 bytes: a DTLS record header)
//   128..191  RTP or RTCP (version 2)        RTCP when the second byte is 192..223 (RFC 5761
//             section 4: RTCP packet types 192..223 are RTP payload types 64..95 with the
//             marker bit, which RTP over a muxed port never uses); at least 12 bytes for
//             RTP (its fixed header) and 8 for RTCP (header + sender SSRC)
// Anything else (ZRTP, TURN channels, too short) is unknown and is to be dropped.
// Pure function; safe from any thread.
#include <cstdint>
#include <span>

namespace vela::protocol::dtls {

enum class PacketKind { stun, dtls, rtp, rtcp, unknown };

inline constexpr size_t kMinStunSize = 20;
inline constexpr size_t kMinDtlsSize = 13;
inline constexpr size_t kMinRtpSize = 12;
inline constexpr size_t kMinRtcpSize = 8;

PacketKind classify_packet(std::span<const uint8_t> datagram);

}  // namespace vela::protocol::dtls
