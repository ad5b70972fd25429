#include "format/mpegts/ts_packet.hpp"

#include "base/byte_reader.hpp"

namespace vela::format::mpegts {

namespace {

constexpr uint8_t kDiscontinuityFlag = 0x80;
constexpr uint8_t kRandomAccessFlag = 0x40;
constexpr uint8_t kPcrFlag = 0x10;

}  // namespace

base::Result<TsPacket> parse_ts_packet(std::span<const uint8_t> packet) {
  if (packet.size() != kPacketSize || packet[0] != kSyncByte) {
    return base::make_error("not a transport stream packet");
  }
  base::ByteReader in(packet.subspan(1));
  TsPacket out;
  uint16_t pid_word = in.u16be();
  out.transport_error = (pid_word & 0x8000) != 0;
  out.payload_unit_start = (pid_word & 0x4000) != 0;
  out.pid = pid_word & 0x1FFF;
  uint8_t control = in.u8();
  out.scrambling = control >> 6;
  uint8_t adaptation_control = (control >> 4) & 0x3;
  out.continuity_counter = control & 0x0F;
  if (adaptation_control == 0) return base::make_error("reserved adaptation_field_control");
  out.has_payload = (adaptation_control & 0x1) != 0;
  if (adaptation_control & 0x2) {
    uint8_t length = in.u8();
    // Adaptation only: the field fills the packet (183); with payload at most 182.
    size_t max_length = out.has_payload ? 182 : 183;
    if (length > max_length) return base::make_error("adaptation field runs past the packet");
    if (length > 0) {
      base::ByteReader field(in.bytes(length));
      uint8_t flags = field.u8();
      out.discontinuity = (flags & kDiscontinuityFlag) != 0;
      out.random_access = (flags & kRandomAccessFlag) != 0;
      if (flags & kPcrFlag) {
        uint64_t high = field.u32be();
        uint16_t low = field.u16be();
        if (field.ok()) {
          uint64_t base = (high << 1) | (low >> 15);  // 33 bits
          out.pcr = base * 300 + (low & 0x1FF);
        }
      }
    }
  }
  if (out.has_payload) out.payload = in.rest();
  if (!in.ok()) return base::make_error("truncated packet header");
  return out;
}

}  // namespace vela::format::mpegts
