#pragma once
// RTCP (RFC 3550, RFC 4585, RFC 5104) and transport-wide congestion control feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01): parse a compound packet into
// messages, and write messages (append several to one vector for a compound packet).
//
// Error policy of parse_rtcp(): packets are read in order; the first one that is malformed
// (bad version, length past the datagram, a body that does not fit its type) stops the
// walk, because its length can no longer be trusted. The messages read before it are
// returned together with the error. Well-formed packets of types we do not handle (APP, XR,
// other feedback formats) are skipped and counted, not errors. RFC 3550's "a compound packet
// starts with SR or RR" is not enforced (RFC 5506 reduced-size RTCP sends feedback alone).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "protocol/rtp/transport_feedback.hpp"

namespace vela::protocol::rtp {

inline constexpr uint8_t kRtcpSr = 200;
inline constexpr uint8_t kRtcpRr = 201;
inline constexpr uint8_t kRtcpSdes = 202;
inline constexpr uint8_t kRtcpBye = 203;
inline constexpr uint8_t kRtcpRtpfb = 205;
inline constexpr uint8_t kRtcpPsfb = 206;

struct ReportBlock {
  uint32_t ssrc = 0;
  uint8_t fraction_lost = 0;
  int32_t cumulative_lost = 0;  // 24-bit signed on the wire
  uint32_t highest_sequence = 0;  // extended highest sequence number received
  uint32_t jitter = 0;
  uint32_t last_sr = 0;           // middle 32 bits of the last SR's NTP time
  uint32_t delay_since_last_sr = 0;  // 1/65536 s
  bool operator==(const ReportBlock&) const = default;
};

struct SenderReport {
  uint32_t ssrc = 0;
  uint64_t ntp_time = 0;  // 32.32 fixed point seconds since 1900
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
  std::vector<ReportBlock> reports;  // at most 31
  bool operator==(const SenderReport&) const = default;
};

struct ReceiverReport {
  uint32_t ssrc = 0;
  std::vector<ReportBlock> reports;  // at most 31
  bool operator==(const ReceiverReport&) const = default;
};

struct SdesChunk {
  uint32_t ssrc = 0;
  std::string cname;  // other SDES items are skipped when parsing
  bool operator==(const SdesChunk&) const = default;
};
struct Sdes {
  std::vector<SdesChunk> chunks;  // at most 31
  bool operator==(const Sdes&) const = default;
};

struct Bye {
  std::vector<uint32_t> ssrcs;  // at most 31
  std::string reason;           // at most 255 bytes
  bool operator==(const Bye&) const = default;
};

// Generic NACK (RTPFB fmt 1): the sequence numbers the receiver asks to be resent.
struct Nack {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  std::vector<uint16_t> sequences;  // as read: each PID, then its BLP bits in order;
                                    // the writer packs them (duplicates merge)
  bool operator==(const Nack&) const = default;
};

struct Pli {  // PSFB fmt 1
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  bool operator==(const Pli&) const = default;
};

struct FirEntry {
  uint32_t ssrc = 0;
  uint8_t sequence = 0;
  bool operator==(const FirEntry&) const = default;
};
struct Fir {  // PSFB fmt 4
  uint32_t sender_ssrc = 0;
  std::vector<FirEntry> entries;
  bool operator==(const Fir&) const = default;
};

struct Remb {  // PSFB fmt 15, "REMB"
  uint32_t sender_ssrc = 0;
  uint64_t bitrate_bps = 0;  // exponent/mantissa on the wire: writing may round down
  std::vector<uint32_t> ssrcs;
  bool operator==(const Remb&) const = default;
};

using RtcpMessage =
    std::variant<SenderReport, ReceiverReport, Sdes, Bye, Nack, Pli, Fir, Remb, TransportFeedback>;

struct RtcpCompound {
  std::vector<RtcpMessage> messages;  // everything read before an error
  size_t skipped = 0;                 // well-formed packets of types we do not handle
  std::optional<base::Error> error;   // set when a malformed packet stopped the walk
};

RtcpCompound parse_rtcp(std::span<const uint8_t> datagram);

// Appends one RTCP packet for `message`. Out-of-range content (too many report blocks,
// CNAME or reason longer than 255 bytes, too many statuses) is an error and leaves `out`
// unchanged.
base::Status write_rtcp(const RtcpMessage& message, std::vector<uint8_t>& out);

}  // namespace vela::protocol::rtp
