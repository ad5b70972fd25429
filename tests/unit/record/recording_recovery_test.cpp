#include "record/recording_recovery.hpp"

#include <gtest/gtest.h>

#include <map>

namespace vela::record {
namespace {

// A recording being written: data files in memory and the journal's records.
class RecordingBuilder {
 public:
  explicit RecordingBuilder(size_t renditions) : data_(renditions) {}

  void init(uint16_t rendition, size_t size) { add(RecordKind::init, rendition, 0, 0, size); }
  void part(uint16_t rendition, uint64_t msn, uint32_t index, size_t size, uint8_t flags = 0) {
    add(RecordKind::part, rendition, msn, index, size, flags);
  }
  void segment_end(uint16_t rendition, uint64_t msn) {
    IndexRecord r;
    r.kind = RecordKind::segment_end;
    r.rendition = rendition;
    r.msn = msn;
    records_.push_back(r);
  }
  void checkpoint() {
    IndexRecord r;
    r.kind = RecordKind::checkpoint;
    r.count = static_cast<uint32_t>(records_.size());
    records_.push_back(r);
  }

  IndexScan scan() const {
    std::vector<uint8_t> bytes;
    for (const auto& r : records_) encode_index_record(r, bytes);
    return scan_index(bytes);
  }
  std::vector<uint64_t> sizes() const {
    std::vector<uint64_t> out;
    for (const auto& d : data_) out.push_back(d.size());
    return out;
  }
  ObjectReader reader() const {
    return [this](uint16_t rendition, uint64_t offset, uint32_t size) -> std::optional<std::vector<uint8_t>> {
      const auto& d = data_.at(rendition);
      if (offset + size > d.size()) return std::nullopt;
      return std::vector<uint8_t>(d.begin() + static_cast<long>(offset), d.begin() + static_cast<long>(offset + size));
    };
  }
  std::vector<uint8_t>& data(uint16_t rendition) { return data_.at(rendition); }

 private:
  void add(RecordKind kind, uint16_t rendition, uint64_t msn, uint32_t index, size_t size, uint8_t flags = 0) {
    auto& d = data_.at(rendition);
    IndexRecord r;
    r.kind = kind;
    r.flags = flags;
    r.rendition = rendition;
    r.msn = msn;
    r.part_index = index;
    r.offset = d.size();
    r.size = static_cast<uint32_t>(size);
    r.duration_us = kind == RecordKind::part ? 200'000 : 0;
    r.media_time_us = static_cast<int64_t>(msn * 1'000'000 + index * 200'000);
    std::vector<uint8_t> bytes(size);
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(next_byte_++ * 31 + 7);
    r.data_crc = crc32(bytes);
    d.insert(d.end(), bytes.begin(), bytes.end());
    records_.push_back(r);
  }

  std::vector<std::vector<uint8_t>> data_;
  std::vector<IndexRecord> records_;
  uint32_t next_byte_ = 0;
};

TEST(RecordingRecovery, AnIntactJournalIsKeptAndItsOpenSegmentsClosed) {
  RecordingBuilder b(2);
  b.init(0, 700);
  b.init(1, 600);
  for (uint32_t i = 0; i < 5; ++i) b.part(0, 10, i, 1000 + i, i == 0 ? kIndependent | kDiscontinuity : 0);
  b.segment_end(0, 10);
  b.part(0, 11, 0, 900, kIndependent);
  b.part(0, 11, 1, 800);
  b.part(1, 10, 0, 300, kIndependent);
  b.checkpoint();
  auto plan = plan_recovery(b.scan(), b.sizes(), b.reader());
  EXPECT_EQ(plan.keep_records, 12u);
  EXPECT_EQ(plan.dropped_records, 0u);
  EXPECT_EQ(plan.data_sizes, b.sizes());
  // Rendition 0's segment 11 and rendition 1's segment 10 were open; then the end record.
  ASSERT_EQ(plan.finalize.size(), 3u);
  EXPECT_EQ(plan.finalize[0].kind, RecordKind::segment_end);
  EXPECT_EQ(plan.finalize[0].rendition, 0);
  EXPECT_EQ(plan.finalize[0].msn, 11u);
  EXPECT_EQ(plan.finalize[0].duration_us, 400'000u);
  EXPECT_EQ(plan.finalize[0].media_time_us, 11'000'000);
  EXPECT_EQ(plan.finalize[1].rendition, 1);
  EXPECT_EQ(plan.finalize[1].msn, 10u);
  EXPECT_EQ(plan.finalize[2].kind, RecordKind::end);
  EXPECT_EQ(plan.finalize[2].count, 14u);
}

TEST(RecordingRecovery, AFinalizedJournalScansAsEnded) {
  RecordingBuilder b(1);
  b.init(0, 100);
  b.part(0, 1, 0, 50, kIndependent);
  auto plan = plan_recovery(b.scan(), b.sizes(), b.reader());
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < plan.keep_records; ++i) encode_index_record(b.scan().records[i], bytes);
  for (const auto& r : plan.finalize) encode_index_record(r, bytes);
  auto rescanned = scan_index(bytes);
  EXPECT_TRUE(rescanned.ended);
  EXPECT_FALSE(rescanned.torn);
  EXPECT_EQ(finalize_records(std::span(rescanned.records).first(rescanned.records.size() - 1)).size(), 1u)
      << "only the end record: every segment is closed";
}

TEST(RecordingRecovery, ATornFinalPartIsCut) {
  RecordingBuilder b(1);
  b.init(0, 100);
  b.part(0, 1, 0, 500, kIndependent);
  b.checkpoint();
  b.part(0, 1, 1, 400);
  b.part(0, 1, 2, 300);
  // The last part's bytes only half reached the file.
  b.data(0).resize(b.data(0).size() - 150);
  auto plan = plan_recovery(b.scan(), b.sizes(), b.reader());
  EXPECT_EQ(plan.keep_records, 4u);
  EXPECT_EQ(plan.dropped_records, 1u);
  EXPECT_EQ(plan.data_sizes[0], 1000u);
  EXPECT_EQ(plan.finalize[0].duration_us, 400'000u) << "the segment closes with the parts kept";
}

TEST(RecordingRecovery, UnsyncedDataWithTheWrongBytesIsCutButSyncedDataIsTrusted) {
  RecordingBuilder b(1);
  b.init(0, 100);
  b.part(0, 1, 0, 500, kIndependent);
  b.checkpoint();
  b.part(0, 1, 1, 400);
  b.part(0, 1, 2, 300);
  // Power loss: the file is long enough but the last parts' pages never made it (zeros).
  std::fill(b.data(0).begin() + 600, b.data(0).end(), 0);
  // Corruption inside synced data is not recovery's to find (it would cost reading it all).
  b.data(0)[50] ^= 1;
  auto plan = plan_recovery(b.scan(), b.sizes(), b.reader());
  EXPECT_EQ(plan.keep_records, 3u);
  EXPECT_EQ(plan.dropped_records, 2u);
  EXPECT_EQ(plan.data_sizes[0], 600u);
}

TEST(RecordingRecovery, ObjectsOutsideTheirFileOrOutOfOrderEndTheKeptPrefix) {
  RecordingBuilder b(1);
  b.init(0, 100);
  b.part(0, 1, 0, 500, kIndependent);
  b.checkpoint();
  auto scan = b.scan();
  // A data file shorter than even the synced records say (cut by something else).
  std::vector<uint64_t> short_sizes = {300};
  auto plan = plan_recovery(scan, short_sizes, b.reader());
  EXPECT_EQ(plan.keep_records, 1u);
  EXPECT_EQ(plan.data_sizes[0], 100u);
  // A rendition the recording does not have.
  std::vector<uint64_t> no_renditions;
  EXPECT_EQ(plan_recovery(scan, no_renditions, b.reader()).keep_records, 0u);
}

TEST(RecordingRecovery, AnEmptyRecordingIsFinalizedWithJustTheEnd) {
  RecordingBuilder b(1);
  auto plan = plan_recovery(b.scan(), b.sizes(), b.reader());
  EXPECT_EQ(plan.keep_records, 0u);
  ASSERT_EQ(plan.finalize.size(), 1u);
  EXPECT_EQ(plan.finalize[0].kind, RecordKind::end);
  EXPECT_EQ(plan.finalize[0].count, 0u);
}

}  // namespace
}  // namespace vela::record
