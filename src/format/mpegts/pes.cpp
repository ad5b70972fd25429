#include "format/mpegts/pes.hpp"

#include "base/byte_reader.hpp"

namespace vela::format::mpegts {

namespace {

// Stream ids whose PES packets have no optional header (13818-1, 2.4.3.7).
bool has_optional_header(uint8_t stream_id) {
  switch (stream_id) {
    case 0xBC:  // program_stream_map
    case 0xBE:  // padding_stream
    case 0xBF:  // private_stream_2
    case 0xF0:  // ECM
    case 0xF1:  // EMM
    case 0xF2:  // DSMCC
    case 0xF8:  // ITU-T H.222.1 type E
    case 0xFF:  // program_stream_directory
      return false;
    default:
      return true;
  }
}

// A 33-bit timestamp in its 5-byte layout: 4-bit prefix, then 3+15+15 bits with markers.
uint64_t read_timestamp(base::ByteReader& in) {
  uint64_t b0 = in.u8();
  uint64_t mid = in.u16be();
  uint64_t low = in.u16be();
  return ((b0 >> 1) & 0x07) << 30 | (mid >> 1) << 15 | (low >> 1);
}

}  // namespace

base::Result<PesHeader> parse_pes_header(std::span<const uint8_t> pes) {
  base::ByteReader in(pes);
  uint32_t start_code = in.u24be();
  PesHeader out;
  out.stream_id = in.u8();
  out.packet_length = in.u16be();
  if (!in.ok()) return base::make_error("truncated PES header");
  if (start_code != 0x000001) return base::make_error("missing PES start code");
  if (!has_optional_header(out.stream_id)) {
    out.header_size = 6;
    return out;
  }
  uint8_t marker = in.u8();
  uint8_t flags = in.u8();
  uint8_t header_data_length = in.u8();
  if (!in.ok()) return base::make_error("truncated PES header");
  if ((marker & 0xC0) != 0x80) return base::make_error("bad PES header marker bits");
  auto optional = in.bytes(header_data_length);
  if (!in.ok()) return base::make_error("PES header runs past the data");
  base::ByteReader fields(optional);
  uint8_t pts_dts = flags >> 6;
  if (pts_dts == 1) return base::make_error("PES header has a DTS without a PTS");
  if (pts_dts & 0x2) out.pts = read_timestamp(fields);
  if (pts_dts == 0x3) out.dts = read_timestamp(fields);
  if (!fields.ok()) return base::make_error("PES timestamps run past the header");
  out.header_size = 9 + header_data_length;
  if (out.packet_length != 0 && out.header_size > size_t{out.packet_length} + 6) {
    return base::make_error("PES header longer than the packet");
  }
  return out;
}

}  // namespace vela::format::mpegts
