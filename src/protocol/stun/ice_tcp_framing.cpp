#include "protocol/stun/ice_tcp_framing.hpp"

#include <string>

#include "base/byte_writer.hpp"

namespace vela::protocol::stun {

base::Status IceTcpDeframer::feed(std::span<const uint8_t> bytes) {
  if (error_) return *error_;
  if (read_ > 0) {  // drop what next() already returned
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_));
    read_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  return {};
}

base::Result<std::optional<std::span<const uint8_t>>> IceTcpDeframer::next() {
  if (error_) return *error_;
  if (buffered() < 2) return std::optional<std::span<const uint8_t>>{};
  size_t length = static_cast<size_t>(buffer_[read_]) << 8 | buffer_[read_ + 1];
  if (length == 0 || length > max_packet_size_) {
    error_ = base::make_error("ICE-TCP: frame of " + std::to_string(length) +
                              " bytes (allowed 1.." + std::to_string(max_packet_size_) + ")");
    return *error_;
  }
  if (buffered() < 2 + length) return std::optional<std::span<const uint8_t>>{};
  std::span<const uint8_t> packet(buffer_.data() + read_ + 2, length);
  read_ += 2 + length;
  return std::optional<std::span<const uint8_t>>(packet);
}

base::Status append_framed(std::span<const uint8_t> packet, std::vector<uint8_t>& out) {
  if (packet.empty() || packet.size() > 0xFFFF)
    return base::make_error("ICE-TCP: cannot frame a packet of " + std::to_string(packet.size()) +
                            " bytes");
  base::ByteWriter writer(out);
  writer.u16be(static_cast<uint16_t>(packet.size()));
  writer.bytes(packet);
  return {};
}

}  // namespace vela::protocol::stun
