#include "protocol/rtmp/command.hpp"

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"

namespace vela::protocol::rtmp {

const format::Amf0Value& Command::arg(size_t i) const {
  static const format::Amf0Value kUndefined;
  return i < args.size() ? args[i] : kUndefined;
}

std::span<const uint8_t> amf0_body(const Message& message) {
  auto body = message.payload.span();
  bool amf3 = message.header.type_id == kTypeCommandAmf3 || message.header.type_id == kTypeDataAmf3;
  if (amf3 && !body.empty() && body[0] == 0) body = body.subspan(1);
  return body;
}

base::Result<Command> parse_command(std::span<const uint8_t> payload) {
  auto values = format::amf0_decode_all(payload);
  if (!values) return base::make_error("RTMP command: " + values.error().message);
  auto& v = values.value();
  if (v.empty() || !v[0].is_string()) {
    return base::make_error("RTMP command: does not start with a command name");
  }
  Command command;
  command.name = v[0].as_string();
  if (v.size() > 1) command.transaction_id = v[1].as_number();
  if (v.size() > 2) command.object = std::move(v[2]);
  for (size_t i = 3; i < v.size(); ++i) command.args.push_back(std::move(v[i]));
  return command;
}

std::vector<uint8_t> encode_command(std::string_view name, double transaction_id,
                                    const format::Amf0Value& object,
                                    std::span<const format::Amf0Value> args) {
  std::vector<uint8_t> out;
  base::ByteWriter w(out);
  format::amf0_encode(format::Amf0Value::string(std::string(name)), w);
  format::amf0_encode(format::Amf0Value::number(transaction_id), w);
  format::amf0_encode(object, w);
  format::amf0_encode_all(args, w);
  return out;
}

format::Amf0Value status_info(std::string_view level, std::string_view code,
                              std::string_view description) {
  return format::Amf0Value::object({
      {"level", format::Amf0Value::string(std::string(level))},
      {"code", format::Amf0Value::string(std::string(code))},
      {"description", format::Amf0Value::string(std::string(description))},
  });
}

std::vector<uint8_t> u32_payload(uint32_t value) {
  std::vector<uint8_t> out;
  base::ByteWriter(out).u32be(value);
  return out;
}

std::vector<uint8_t> peer_bandwidth_payload(uint32_t window, uint8_t limit_type) {
  std::vector<uint8_t> out;
  base::ByteWriter w(out);
  w.u32be(window);
  w.u8(limit_type);
  return out;
}

std::vector<uint8_t> user_control_payload(uint16_t event, uint32_t value) {
  std::vector<uint8_t> out;
  base::ByteWriter w(out);
  w.u16be(event);
  w.u32be(value);
  return out;
}

}  // namespace vela::protocol::rtmp
