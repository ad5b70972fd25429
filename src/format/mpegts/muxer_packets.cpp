#include "format/mpegts/muxer_packets.hpp"

#include <algorithm>

#include "format/mpegts/pes.hpp"
#include "format/mpegts/psi.hpp"
#include "format/mpegts/ts_packet.hpp"

namespace vela::format::mpegts {
namespace {

constexpr size_t kHeaderSize = 4;
constexpr size_t kPayloadRoom = kPacketSize - kHeaderSize;  // 184
constexpr size_t kPcrSize = 6;

void append_header(uint16_t pid, bool unit_start, bool adaptation, uint8_t& continuity,
                   std::vector<uint8_t>& out) {
  out.push_back(kSyncByte);
  out.push_back(static_cast<uint8_t>((unit_start ? 0x40 : 0) | ((pid >> 8) & 0x1F)));
  out.push_back(static_cast<uint8_t>(pid));
  out.push_back(static_cast<uint8_t>((adaptation ? 0x20 : 0) | 0x10 | (continuity & 0x0F)));
  continuity = (continuity + 1) & 0x0F;
}

void append_pcr(uint64_t base, std::vector<uint8_t>& out) {
  base &= kTimestampMask;
  const uint8_t bytes[kPcrSize] = {
      static_cast<uint8_t>(base >> 25),
      static_cast<uint8_t>(base >> 17),
      static_cast<uint8_t>(base >> 9),
      static_cast<uint8_t>(base >> 1),
      static_cast<uint8_t>((base & 1) << 7 | 0x7E),  // 6 reserved bits, extension bit 8
      0,                                             // extension (27 MHz remainder) 0
  };
  out.insert(out.end(), std::begin(bytes), std::end(bytes));
}

// '0010' / '0011' / '0001' prefix, 33 bits in three marker-separated groups.
void put_timestamp(uint8_t* dest, uint8_t prefix, uint64_t t) {
  t &= kTimestampMask;
  dest[0] = static_cast<uint8_t>(prefix << 4 | ((t >> 30) & 0x07) << 1 | 1);
  dest[1] = static_cast<uint8_t>(t >> 22);
  dest[2] = static_cast<uint8_t>(((t >> 14) & 0xFE) | 1);
  dest[3] = static_cast<uint8_t>(t >> 7);
  dest[4] = static_cast<uint8_t>(t << 1 | 1);
}

void append_crc(std::vector<uint8_t>& section) {
  uint32_t crc = crc32_mpeg2(section);
  for (int shift = 24; shift >= 0; shift -= 8)
    section.push_back(static_cast<uint8_t>(crc >> shift));
}

// table_id, section_syntax_indicator and lengths, table id extension, version, current,
// section numbers 0/0; the body follows and the CRC is appended by the caller.
std::vector<uint8_t> long_section_start(uint8_t table_id, uint16_t id, uint8_t version,
                                        size_t body_size) {
  size_t length = 5 + body_size + 4;
  return {table_id,
          static_cast<uint8_t>(0xB0 | (length >> 8)),
          static_cast<uint8_t>(length),
          static_cast<uint8_t>(id >> 8),
          static_cast<uint8_t>(id),
          static_cast<uint8_t>(0xC1 | (version & 0x1F) << 1),
          0,
          0};
}

}  // namespace

void append_ts_packets(uint16_t pid, uint8_t& continuity, std::span<const uint8_t> unit,
                       const PacketStart& start, std::vector<uint8_t>& out) {
  bool first = true;
  do {
    const bool flagged = first && (start.random_access || start.pcr_base);
    const size_t field_content = flagged ? 1 + (start.pcr_base ? kPcrSize : 0) : 0;
    const size_t room = flagged ? kPayloadRoom - 1 - field_content : kPayloadRoom;
    const size_t take = std::min(room, unit.size());
    const bool adaptation = flagged || take < kPayloadRoom;
    append_header(pid, first, adaptation, continuity, out);
    if (adaptation) {
      const size_t field_length = kPayloadRoom - 1 - take;  // fills the packet
      out.push_back(static_cast<uint8_t>(field_length));
      if (field_length > 0) {
        const size_t field_start = out.size();
        out.push_back(static_cast<uint8_t>((flagged && start.random_access ? 0x40 : 0) |
                                           (flagged && start.pcr_base ? 0x10 : 0)));
        if (flagged && start.pcr_base) append_pcr(*start.pcr_base, out);
        out.resize(field_start + field_length, 0xFF);
      }
    }
    out.insert(out.end(), unit.begin(), unit.begin() + static_cast<ptrdiff_t>(take));
    unit = unit.subspan(take);
    first = false;
  } while (!unit.empty());
}

void append_section_packet(uint16_t pid, uint8_t& continuity, std::span<const uint8_t> section,
                           std::vector<uint8_t>& out) {
  const size_t end = out.size() + kPacketSize;
  append_header(pid, true, false, continuity, out);
  out.push_back(0);  // pointer_field
  out.insert(
      out.end(), section.begin(),
      section.begin() + static_cast<ptrdiff_t>(std::min(section.size(), kMaxSinglePacketSection)));
  out.resize(end, 0xFF);
}

std::vector<uint8_t> make_pat_section(uint16_t transport_stream_id, uint16_t program_number,
                                      uint16_t pmt_pid, uint8_t version) {
  auto section = long_section_start(kTableIdPat, transport_stream_id, version, 4);
  section.insert(section.end(),
                 {static_cast<uint8_t>(program_number >> 8), static_cast<uint8_t>(program_number),
                  static_cast<uint8_t>(0xE0 | pmt_pid >> 8), static_cast<uint8_t>(pmt_pid)});
  append_crc(section);
  return section;
}

std::vector<uint8_t> make_pmt_section(uint16_t program_number, uint16_t pcr_pid, uint8_t version,
                                      std::span<const PmtEntry> streams) {
  auto section = long_section_start(kTableIdPmt, program_number, version, 4 + 5 * streams.size());
  // PCR_PID, then program_info_length 0.
  section.insert(section.end(), {static_cast<uint8_t>(0xE0 | pcr_pid >> 8),
                                 static_cast<uint8_t>(pcr_pid), 0xF0, 0x00});
  for (const auto& stream : streams) {
    section.insert(section.end(), {stream.stream_type, static_cast<uint8_t>(0xE0 | stream.pid >> 8),
                                   static_cast<uint8_t>(stream.pid), 0xF0, 0x00});
  }
  append_crc(section);
  return section;
}

void write_pes_header(std::span<uint8_t> dest, uint8_t stream_id, uint64_t pts,
                      std::optional<uint64_t> dts, size_t payload_size) {
  const size_t size = pes_header_size(dts.has_value());
  const size_t data_length = size - 9;  // PES_header_data_length: the timestamps
  const size_t packet_length = size - 6 + payload_size;
  const size_t declared = packet_length <= 0xFFFF ? packet_length : 0;
  uint8_t* p = dest.data();
  p[0] = 0;
  p[1] = 0;
  p[2] = 1;
  p[3] = stream_id;
  p[4] = static_cast<uint8_t>(declared >> 8);
  p[5] = static_cast<uint8_t>(declared);
  p[6] = 0x84;               // '10', not scrambled, data_alignment_indicator
  p[7] = dts ? 0xC0 : 0x80;  // PTS_DTS_flags
  p[8] = static_cast<uint8_t>(data_length);
  put_timestamp(p + 9, dts ? 3 : 2, pts);
  if (dts) put_timestamp(p + 14, 1, *dts);
}

}  // namespace vela::format::mpegts
