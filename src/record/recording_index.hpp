#pragma once
// The index of one recording: an append-only journal of fixed-size records, one per object
// appended to a rendition's data file (init segment, part), plus segment ends, sync
// checkpoints and the final end mark. The data files hold the packager's bytes unchanged;
// the index says where each object is and what it is.
//
// Crash safety comes from the order of writes, not from the format alone:
//   1. an object's bytes are appended to its data file, then its record to the index;
//   2. the flusher syncs the data files, then appends a checkpoint record naming how many
//      records came before it, then syncs the index.
// So every record before a checkpoint that reached the disk has its data on the disk too.
// Records after the last checkpoint may point at bytes a power loss took; recovery checks
// their data CRC (and that their bytes exist) and cuts the journal at the first that fails.
// A record that is itself torn (short, bad magic, bad CRC) ends the journal.
//
// Pure: encoding and scanning of bytes; the files are the writer's business.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace vela::record {

enum class RecordKind : uint8_t {
  init = 1,         // an init segment (the rendition's first object, and again when it changes)
  part = 2,         // one CMAF part (moof + mdat)
  segment_end = 3,  // the segment msn is complete: the concatenation of its parts
  checkpoint = 4,   // everything before this record is synced, data included
  end = 5,          // the recording was finalized (cleanly, or by recovery)
};

// Flags of a part (and of a segment end: discontinuity).
inline constexpr uint8_t kIndependent = 1;    // begins with a keyframe
inline constexpr uint8_t kDiscontinuity = 2;  // the first part of a segment after a clock jump

struct IndexRecord {
  RecordKind kind = RecordKind::part;
  uint8_t flags = 0;
  uint16_t rendition = 0;     // index into the recording's rendition list
  uint64_t msn = 0;           // segment media sequence number (parts, segment ends)
  uint32_t part_index = 0;    // part index within the segment
  uint64_t offset = 0;        // where the object starts in the rendition's data file
  uint32_t size = 0;          // object bytes; 0 for records that name no object
  int64_t media_time_us = 0;  // presentation time of the object's first sample
  uint32_t duration_us = 0;   // part or segment duration
  uint32_t data_crc = 0;      // CRC-32 of the object bytes
  int64_t wall_clock_us = 0;  // program date time of the first sample (Unix time)
  // checkpoint: how many records precede it (all synced); end: how many records precede it.
  uint32_t count = 0;

  bool names_object() const { return kind == RecordKind::init || kind == RecordKind::part; }
  bool operator==(const IndexRecord&) const = default;
};

inline constexpr size_t kIndexRecordSize = 64;

// Appends the record's kIndexRecordSize bytes to `out`.
void encode_index_record(const IndexRecord& record, std::vector<uint8_t>& out);
// One record from exactly kIndexRecordSize bytes; nullopt when torn or corrupt.
std::optional<IndexRecord> decode_index_record(std::span<const uint8_t> bytes);

uint32_t crc32(std::span<const uint8_t> bytes);

// What a journal's bytes hold, up to the first record that is not whole and valid.
struct IndexScan {
  std::vector<IndexRecord> records;
  size_t valid_bytes = 0;          // records.size() * kIndexRecordSize
  bool torn = false;               // bytes after valid_bytes (a torn or corrupt record)
  size_t synced_records = 0;       // records covered by the last checkpoint
  bool ended = false;              // an end record was found (the recording is final)
};
IndexScan scan_index(std::span<const uint8_t> journal);

}  // namespace vela::record
