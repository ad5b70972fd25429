#pragma once
// AMF0 command messages (RTMP 1.0 section 7.1.1): a name, a transaction id, a command
// object (often null) and further arguments; plus the payload builders for protocol
// control and user control messages. Pure; any thread.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "format/amf0.hpp"
#include "protocol/rtmp/message.hpp"

namespace vela::protocol::rtmp {

struct Command {
  std::string name;
  double transaction_id = 0;
  format::Amf0Value object;             // null or undefined when absent
  std::vector<format::Amf0Value> args;  // everything after the command object

  // The i-th argument, or undefined when there are fewer.
  const format::Amf0Value& arg(size_t i) const;
};

// The AMF0 values of a command or data message. AMF3 variants (types 17 and 15) start with
// a format byte of 0 followed by AMF0 values; that byte is skipped.
std::span<const uint8_t> amf0_body(const Message& message);

// Errors when the payload is not valid AMF0 or does not start with a string name.
base::Result<Command> parse_command(std::span<const uint8_t> payload);

std::vector<uint8_t> encode_command(std::string_view name, double transaction_id,
                                    const format::Amf0Value& object,
                                    std::span<const format::Amf0Value> args = {});

// The info object of onStatus and _result replies: {level, code, description}.
format::Amf0Value status_info(std::string_view level, std::string_view code,
                              std::string_view description);

// Set Chunk Size, Window Acknowledgement Size and Acknowledgement bodies: one 32-bit value.
std::vector<uint8_t> u32_payload(uint32_t value);
// Set Peer Bandwidth: window size and limit type (0 hard, 1 soft, 2 dynamic).
std::vector<uint8_t> peer_bandwidth_payload(uint32_t window, uint8_t limit_type);
// User control event with one 32-bit value (stream id or ping timestamp).
std::vector<uint8_t> user_control_payload(uint16_t event, uint32_t value);

}  // namespace vela::protocol::rtmp
