#pragma once
// ICE-TCP framing (RFC 6544 section 3, using RFC 4571): on a TCP candidate every STUN,
// DTLS and RTP/RTCP packet is preceded by its length as a 16-bit big-endian number.
// IceTcpDeframer turns a byte stream, split anywhere, back into whole packets;
// append_framed() is the sending side. Pure: no sockets.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"

namespace vela::protocol::stun {

// Large enough for any packet WebRTC sends over one path (RTP and DTLS records stay
// below the UDP MTU); a frame longer than the configured bound is treated as garbage.
inline constexpr size_t kDefaultMaxIceTcpPacket = 4096;

class IceTcpDeframer {
 public:
  explicit IceTcpDeframer(size_t max_packet_size = kDefaultMaxIceTcpPacket)
      : max_packet_size_(max_packet_size) {}

  // Appends received bytes. Invalidates views previously returned by next().
  base::Status feed(std::span<const uint8_t> bytes);

  // The next whole packet, or nothing until more bytes arrive. The view stays valid until
  // the next feed(). Errors, and keeps failing, on a zero-length frame or one longer
  // than max_packet_size (the stream is out of sync or hostile; close the connection).
  base::Result<std::optional<std::span<const uint8_t>>> next();

  // Bytes received but not yet returned as packets (a partial frame).
  size_t buffered() const { return buffer_.size() - read_; }

 private:
  size_t max_packet_size_;
  std::vector<uint8_t> buffer_;
  size_t read_ = 0;
  std::optional<base::Error> error_;
};

// Appends the 2-byte length and packet to out. Errors on an empty packet or one longer
// than 65535 bytes.
base::Status append_framed(std::span<const uint8_t> packet, std::vector<uint8_t>& out);

}  // namespace vela::protocol::stun
