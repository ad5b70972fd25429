#include "record/recording_index.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace vela::record {
namespace {

IndexRecord part(uint64_t msn, uint32_t index, uint64_t offset, uint32_t size) {
  IndexRecord r;
  r.kind = RecordKind::part;
  r.flags = index == 0 ? kIndependent : 0;
  r.rendition = 1;
  r.msn = msn;
  r.part_index = index;
  r.offset = offset;
  r.size = size;
  r.media_time_us = -5'000;  // negative times survive the round trip
  r.duration_us = 333'333;
  r.data_crc = 0xdeadbeef;
  r.wall_clock_us = 1'796'000'000'000'000;
  return r;
}

IndexRecord marker(RecordKind kind, uint32_t count) {
  IndexRecord r;
  r.kind = kind;
  r.count = count;
  return r;
}

std::vector<uint8_t> journal(const std::vector<IndexRecord>& records) {
  std::vector<uint8_t> out;
  for (const auto& r : records) encode_index_record(r, out);
  return out;
}

TEST(RecordingIndex, RecordsRoundTripAtAFixedSize) {
  IndexRecord original = part(7, 3, 123'456'789'012, 4096);
  std::vector<uint8_t> bytes;
  encode_index_record(original, bytes);
  ASSERT_EQ(bytes.size(), kIndexRecordSize);
  auto decoded = decode_index_record(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, original);
}

TEST(RecordingIndex, AnyFlippedBitIsDetected) {
  std::vector<uint8_t> bytes;
  encode_index_record(part(1, 0, 0, 100), bytes);
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    auto copy = bytes;
    copy[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(decode_index_record(copy).has_value()) << "bit " << bit;
  }
}

TEST(RecordingIndex, ObjectRecordsNameBytesAndOthersDoNot) {
  std::vector<uint8_t> empty_part;
  encode_index_record(part(1, 0, 0, 0), empty_part);
  EXPECT_FALSE(decode_index_record(empty_part).has_value());
  IndexRecord end = marker(RecordKind::end, 0);
  end.size = 10;
  std::vector<uint8_t> sized_end;
  encode_index_record(end, sized_end);
  EXPECT_FALSE(decode_index_record(sized_end).has_value());
}

TEST(RecordingIndex, ScanStopsAtATornTail) {
  auto bytes = journal({part(1, 0, 0, 100), part(1, 1, 100, 50), marker(RecordKind::checkpoint, 2), part(1, 2, 150, 70)});
  auto whole = scan_index(bytes);
  EXPECT_EQ(whole.records.size(), 4u);
  EXPECT_FALSE(whole.torn);
  EXPECT_EQ(whole.synced_records, 2u);
  EXPECT_FALSE(whole.ended);

  for (size_t cut = 1; cut < kIndexRecordSize; ++cut) {
    auto torn = scan_index(std::span(bytes).first(bytes.size() - cut));
    EXPECT_EQ(torn.records.size(), 3u) << cut;
    EXPECT_TRUE(torn.torn);
    EXPECT_EQ(torn.valid_bytes, 3 * kIndexRecordSize);
  }
}

TEST(RecordingIndex, ScanStopsAtACorruptRecordEvenWithValidOnesAfter) {
  auto bytes = journal({part(1, 0, 0, 100), part(1, 1, 100, 50), part(1, 2, 150, 70)});
  bytes[kIndexRecordSize + 20] ^= 0xff;
  auto scan = scan_index(bytes);
  EXPECT_EQ(scan.records.size(), 1u);
  EXPECT_TRUE(scan.torn);
}

TEST(RecordingIndex, ACheckpointWithTheWrongCountIsCorruption) {
  auto scan = scan_index(journal({part(1, 0, 0, 100), marker(RecordKind::checkpoint, 5)}));
  EXPECT_EQ(scan.records.size(), 1u);
  EXPECT_EQ(scan.synced_records, 0u);
  EXPECT_TRUE(scan.torn);
}

TEST(RecordingIndex, NothingCountsAfterTheEnd) {
  auto scan = scan_index(journal({part(1, 0, 0, 100), marker(RecordKind::end, 1), part(1, 1, 100, 5)}));
  EXPECT_TRUE(scan.ended);
  EXPECT_EQ(scan.records.size(), 2u);
  EXPECT_TRUE(scan.torn);
}

TEST(RecordingIndex, EmptyAndGarbageJournals) {
  EXPECT_TRUE(scan_index({}).records.empty());
  EXPECT_FALSE(scan_index({}).torn);
  std::vector<uint8_t> garbage(200, 0x5a);
  auto scan = scan_index(garbage);
  EXPECT_TRUE(scan.records.empty());
  EXPECT_TRUE(scan.torn);
}

// The layout on disk is a contract with recordings written by earlier versions: this journal
// was written by an independent encoder (Python's struct and zlib.crc32, see the fuzz seed).
TEST(RecordingIndex, ReadsAJournalWrittenByAnotherEncoder) {
  std::ifstream file(VELA_SOURCE_DIR "/tests/fuzz/corpus/recording_index/two_renditions", std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(file), {}};
  ASSERT_EQ(bytes.size(), 2 + 5 * kIndexRecordSize);
  auto scan = scan_index(std::span(bytes).subspan(2));
  ASSERT_EQ(scan.records.size(), 5u);
  EXPECT_FALSE(scan.torn);
  EXPECT_EQ(scan.synced_records, 3u);
  EXPECT_EQ(scan.records[0].kind, RecordKind::init);
  EXPECT_EQ(scan.records[0].size, 40u);
  EXPECT_EQ(scan.records[1].kind, RecordKind::part);
  EXPECT_EQ(scan.records[1].flags, kIndependent);
  EXPECT_EQ(scan.records[1].offset, 40u);
  EXPECT_EQ(scan.records[2].media_time_us, 200'000);
  EXPECT_EQ(scan.records[4].kind, RecordKind::segment_end);
}

}  // namespace
}  // namespace vela::record
