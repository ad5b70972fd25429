#pragma once
// RTP packets (RFC 3550) with RFC 8285 header extensions. parse_rtp() returns a view into
// the datagram (no copy, no allocation); write_rtp() appends a packet to a byte vector.
// Pure: no sockets, no clock. Malformed input is an error value, never an exception.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"

namespace vela::protocol::rtp {

inline constexpr size_t kRtpHeaderSize = 12;
inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
// RFC 8285 two-byte form: 0x100 in the top 12 bits, "appbits" in the low 4 (we write 0).
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;

// A parsed packet; every span points into the datagram given to parse_rtp().
struct RtpPacketView {
  bool marker = false;
  uint8_t payload_type = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  std::array<uint32_t, 15> csrcs{};
  uint8_t csrc_count = 0;
  bool has_extension = false;
  uint16_t extension_profile = 0;            // 0xBEDE, 0x100x, or another (opaque) profile
  std::span<const uint8_t> extension_data;   // the extension block after its 4-byte header
  std::span<const uint8_t> payload;          // padding removed
  uint8_t padding_size = 0;

  std::span<const uint32_t> csrc_list() const { return {csrcs.data(), csrc_count}; }
  // The data of header extension `id` (RFC 8285 one- or two-byte form), or nullopt when
  // absent or when the block uses another profile.
  std::optional<std::span<const uint8_t>> extension(uint8_t id) const;
};

// Parses one RTP packet. Checks version 2, that the CSRC list, extension block and padding
// fit, and that RFC 8285 extension elements are well-formed (ids 15 / lengths in bounds).
base::Result<RtpPacketView> parse_rtp(std::span<const uint8_t> datagram);

// A cheap test for demultiplexing RTP from RTCP on one port (RFC 5761): payload type
// octet 72..79 with the marker is RTCP.
bool looks_like_rtcp(std::span<const uint8_t> datagram);

struct RtpExtension {
  uint8_t id = 0;  // 1..14 for the one-byte form, 1..255 for the two-byte form
  std::vector<uint8_t> data;
};

struct RtpHeader {
  bool marker = false;
  uint8_t payload_type = 0;  // 0..127
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  std::vector<uint32_t> csrcs;          // at most 15
  std::vector<RtpExtension> extensions;  // written in order
  bool force_two_byte_extensions = false;
  uint8_t padding = 0;                   // bytes of padding to append (0 = none)
};

// Appends header + payload (+ padding) to `out`. Extensions use the one-byte form when
// every id is 1..14 and every length 1..16 (and the two-byte form is not forced), else the
// two-byte form (ids 1..255, lengths 0..255). An unrepresentable header is an error and
// leaves `out` unchanged.
base::Status write_rtp(const RtpHeader& header, std::span<const uint8_t> payload,
                       std::vector<uint8_t>& out);

}  // namespace vela::protocol::rtp
