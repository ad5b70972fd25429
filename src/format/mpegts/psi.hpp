#pragma once
// Program-specific information (ISO/IEC 13818-1, 2.4.4): section reassembly across
// packets, the MPEG-2 CRC, and the program association and program map tables.
// Pure; malformed input is an error value or a counted, skipped section.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/buffer.hpp"
#include "base/result.hpp"

namespace vela::format::mpegts {

constexpr uint8_t kTableIdPat = 0x00;
constexpr uint8_t kTableIdPmt = 0x02;
constexpr uint8_t kTableIdScte35 = 0xFC;

// CRC-32/MPEG-2 (polynomial 0x04C11DB7, no reflection, initial 0xFFFFFFFF). A section
// with its CRC_32 field appended yields 0.
uint32_t crc32_mpeg2(std::span<const uint8_t> bytes);

// Collects the sections carried on one PID. Sections larger than kMaxSectionSize (the
// private-section limit) or a pointer_field past the payload are counted and dropped.
class SectionAssembler {
 public:
  static constexpr size_t kMaxSectionSize = 4096;

  // One packet's payload; returns the sections it completes (CRC not checked).
  std::vector<base::Buffer> feed(std::span<const uint8_t> payload, bool unit_start);
  // Drops a partly collected section (continuity lost).
  void reset() {
    partial_.clear();
    active_ = false;
  }
  uint64_t malformed() const { return malformed_; }

 private:
  // Appends from `data` to the section in progress; true when it is complete.
  bool take(std::span<const uint8_t>& data);

  std::vector<uint8_t> partial_;
  bool active_ = false;
  uint64_t malformed_ = 0;
};

struct PatProgram {
  uint16_t program_number = 0;
  uint16_t pmt_pid = 0;
};

struct Pat {
  uint16_t transport_stream_id = 0;
  uint8_t version = 0;
  bool current = true;
  std::vector<PatProgram> programs;  // program 0 (the network PID) left out
};

struct PmtStream {
  uint16_t pid = 0;
  uint8_t stream_type = 0;
  std::optional<uint32_t> registration;  // format_identifier of a registration descriptor
};

struct Pmt {
  uint16_t program_number = 0;
  uint8_t version = 0;
  bool current = true;
  uint16_t pcr_pid = 0;
  std::vector<PmtStream> streams;
};

// Both check the table id, section syntax, lengths and CRC.
base::Result<Pat> parse_pat(std::span<const uint8_t> section);
base::Result<Pmt> parse_pmt(std::span<const uint8_t> section);

// Checks a section's CRC_32 (the last four bytes); for SCTE-35 splice_info_sections.
bool section_crc_ok(std::span<const uint8_t> section);

}  // namespace vela::format::mpegts
