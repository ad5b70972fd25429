#pragma once
// The writing side of ts_packet.hpp, psi.hpp and pes.hpp, for the muxer: splitting a PES
// packet into 188-byte transport packets (adaptation field for PCR, random access and
// stuffing), one-packet PSI sections (PAT, PMT) and the PES header. Pure; never throws.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace vela::format::mpegts {

// What the first packet of a unit signals in its adaptation field.
struct PacketStart {
  bool random_access = false;
  std::optional<uint64_t> pcr_base;  // 90 kHz, taken modulo 2^33; extension 0
};

// Appends the packets that carry `unit` on `pid` (payload_unit_start on the first), with
// stuffing in the last one's adaptation field. `continuity` is the PID's next counter.
void append_ts_packets(uint16_t pid, uint8_t& continuity, std::span<const uint8_t> unit,
                       const PacketStart& start, std::vector<uint8_t>& out);

// The largest section append_section_packet can carry (one packet, after the pointer field).
constexpr size_t kMaxSinglePacketSection = 183;

// Appends one packet holding `section` after a zero pointer field, the rest filled with
// 0xFF. The section must be at most kMaxSinglePacketSection bytes.
void append_section_packet(uint16_t pid, uint8_t& continuity, std::span<const uint8_t> section,
                           std::vector<uint8_t>& out);

// A program association section naming one program (CRC included).
std::vector<uint8_t> make_pat_section(uint16_t transport_stream_id, uint16_t program_number,
                                      uint16_t pmt_pid, uint8_t version);

struct PmtEntry {
  uint8_t stream_type = 0;
  uint16_t pid = 0;
};

// A program map section without descriptors (CRC included).
std::vector<uint8_t> make_pmt_section(uint16_t program_number, uint16_t pcr_pid, uint8_t version,
                                      std::span<const PmtEntry> streams);

constexpr size_t kMaxPesHeaderSize = 19;  // with PTS and DTS

constexpr size_t pes_header_size(bool with_dts) {
  return with_dts ? kMaxPesHeaderSize : kMaxPesHeaderSize - 5;
}

// Writes a PES header (data_alignment_indicator set) into exactly pes_header_size(dts)
// bytes of `dest`. PTS and DTS are taken modulo 2^33. PES_packet_length is written when
// the packet fits in it, else 0 (unbounded, allowed for video only).
void write_pes_header(std::span<uint8_t> dest, uint8_t stream_id, uint64_t pts,
                      std::optional<uint64_t> dts, size_t payload_size);

}  // namespace vela::format::mpegts
