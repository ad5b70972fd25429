#include "record/stored_segments.hpp"

#include <gtest/gtest.h>

namespace vela::record {
namespace {

class Journal {
 public:
  Journal& init(uint16_t r, uint32_t size) { return object(RecordKind::init, r, 0, 0, size, 0); }
  Journal& part(uint16_t r, uint64_t msn, uint32_t index, uint32_t size, uint8_t flags = 0) {
    return object(RecordKind::part, r, msn, index, size, flags);
  }
  Journal& end_segment(uint16_t r, uint64_t msn) {
    IndexRecord e;
    e.kind = RecordKind::segment_end;
    e.rendition = r;
    e.msn = msn;
    records.push_back(e);
    return *this;
  }
  std::vector<IndexRecord> records;

 private:
  Journal& object(RecordKind kind, uint16_t r, uint64_t msn, uint32_t index, uint32_t size, uint8_t flags) {
    IndexRecord rec;
    rec.kind = kind;
    rec.rendition = r;
    rec.msn = msn;
    rec.part_index = index;
    rec.offset = ends_[r];
    rec.size = size;
    rec.flags = flags;
    rec.duration_us = kind == RecordKind::part ? 500'000 : 0;
    rec.wall_clock_us = kind == RecordKind::part ? 1'000'000 * static_cast<int64_t>(msn) + index : 0;
    ends_[r] += size;
    records.push_back(rec);
    return *this;
  }
  uint64_t ends_[4] = {};
};

TEST(StoredSegments, SegmentsAreRunsOfTheirPartsPerRendition) {
  Journal j;
  j.init(0, 100).init(1, 80);
  j.part(0, 5, 0, 1000, kIndependent).part(1, 5, 0, 300, kIndependent).part(0, 5, 1, 500);
  j.end_segment(0, 5).part(1, 5, 1, 200).end_segment(1, 5);
  j.part(0, 6, 0, 900, kIndependent).part(0, 6, 1, 400);  // last segment, never ended
  auto video = stored_segments(j.records, 0);
  ASSERT_EQ(video.size(), 2u);
  EXPECT_EQ(video[0].msn, 5u);
  EXPECT_EQ(video[0].bytes, (ByteRange{100, 1500}));
  EXPECT_EQ(video[0].duration_us, 1'000'000u);
  EXPECT_EQ(video[0].init, (ByteRange{0, 100}));
  EXPECT_TRUE(video[0].independent);
  EXPECT_EQ(video[0].wall_clock_us, 5'000'000);
  EXPECT_EQ(video[1].bytes, (ByteRange{1600, 1300}));
  EXPECT_FALSE(video[1].discontinuity);
  auto low = stored_segments(j.records, 1);
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].bytes, (ByteRange{80, 500}));
  EXPECT_TRUE(stored_segments(j.records, 2).empty());
}

TEST(StoredSegments, ANewInitStartsOverAfterADiscontinuity) {
  Journal j;
  j.init(0, 100).part(0, 1, 0, 1000, kIndependent).end_segment(0, 1);
  j.init(0, 120).part(0, 9, 0, 800, kIndependent).end_segment(0, 9);
  j.part(0, 10, 0, 700, kIndependent | kDiscontinuity).end_segment(0, 10);
  auto segments = stored_segments(j.records, 0);
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_FALSE(segments[0].discontinuity);
  EXPECT_TRUE(segments[1].discontinuity);
  EXPECT_EQ(segments[1].init, (ByteRange{1100, 120}));
  EXPECT_TRUE(segments[2].discontinuity) << "the part's own flag";
}

TEST(StoredSegments, PartsBeforeAnyInitAreNotPlayable) {
  Journal j;
  j.part(0, 1, 0, 100, kIndependent).end_segment(0, 1);
  EXPECT_TRUE(stored_segments(j.records, 0).empty());
}

}  // namespace
}  // namespace vela::record
