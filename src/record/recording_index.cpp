#include "record/recording_index.hpp"

#include <boost/crc.hpp>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"

namespace vela::record {

namespace {

// "VRX1": a Vela recording index record, layout version 1. Big-endian throughout:
//   0 magic u32 | 4 kind u8 | 5 flags u8 | 6 rendition u16 | 8 msn u64 | 16 part_index u32
//   20 size u32 | 24 offset u64 | 32 media_time_us i64 | 40 duration_us u32 | 44 data_crc u32
//   48 wall_clock_us i64 | 56 count u32 | 60 record CRC-32 of bytes 0-59
constexpr uint32_t kMagic = 0x56525831;
constexpr size_t kCrcOffset = kIndexRecordSize - 4;

bool known_kind(uint8_t kind) {
  return kind >= static_cast<uint8_t>(RecordKind::init) && kind <= static_cast<uint8_t>(RecordKind::end);
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

void encode_index_record(const IndexRecord& record, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  base::ByteWriter w(out);
  w.u32be(kMagic);
  w.u8(static_cast<uint8_t>(record.kind));
  w.u8(record.flags);
  w.u16be(record.rendition);
  w.u64be(record.msn);
  w.u32be(record.part_index);
  w.u32be(record.size);
  w.u64be(record.offset);
  w.u64be(static_cast<uint64_t>(record.media_time_us));
  w.u32be(record.duration_us);
  w.u32be(record.data_crc);
  w.u64be(static_cast<uint64_t>(record.wall_clock_us));
  w.u32be(record.count);
  w.u32be(crc32(std::span<const uint8_t>(out).subspan(start, kCrcOffset)));
}

std::optional<IndexRecord> decode_index_record(std::span<const uint8_t> bytes) {
  if (bytes.size() != kIndexRecordSize) return std::nullopt;
  base::ByteReader r(bytes);
  if (r.u32be() != kMagic) return std::nullopt;
  IndexRecord record;
  uint8_t kind = r.u8();
  if (!known_kind(kind)) return std::nullopt;
  record.kind = static_cast<RecordKind>(kind);
  record.flags = r.u8();
  record.rendition = r.u16be();
  record.msn = r.u64be();
  record.part_index = r.u32be();
  record.size = r.u32be();
  record.offset = r.u64be();
  record.media_time_us = static_cast<int64_t>(r.u64be());
  record.duration_us = r.u32be();
  record.data_crc = r.u32be();
  record.wall_clock_us = static_cast<int64_t>(r.u64be());
  record.count = r.u32be();
  uint32_t stored_crc = r.u32be();
  if (!r.ok() || stored_crc != crc32(bytes.first(kCrcOffset))) return std::nullopt;
  // An object record must name bytes; the others must not.
  if (record.names_object() != (record.size > 0)) return std::nullopt;
  return record;
}

IndexScan scan_index(std::span<const uint8_t> journal) {
  IndexScan scan;
  size_t position = 0;
  while (journal.size() - position >= kIndexRecordSize) {
    auto record = decode_index_record(journal.subspan(position, kIndexRecordSize));
    if (!record) break;
    // A checkpoint or end record counts the records before it; a wrong count is corruption.
    if ((record->kind == RecordKind::checkpoint || record->kind == RecordKind::end) &&
        record->count != scan.records.size()) {
      break;
    }
    if (record->kind == RecordKind::checkpoint) scan.synced_records = scan.records.size();
    if (record->kind == RecordKind::end) scan.ended = true;
    scan.records.push_back(*record);
    position += kIndexRecordSize;
    if (scan.ended) break;  // nothing follows an end
  }
  scan.valid_bytes = position;
  scan.torn = position < journal.size();
  return scan;
}

}  // namespace vela::record
