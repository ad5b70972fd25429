#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/fmp4/fragment.hpp"
#include "unit/format/fmp4_test_util.hpp"

namespace vela::format::fmp4 {
namespace {

using test::boxes_in;
using test::find_path;
using test::mfhd_sequence;
using test::read_trafs;

std::vector<uint8_t> bytes_of(const std::string& text) {
  return {text.begin(), text.end()};
}

constexpr uint32_t kSyncFlags = 0x02000000;
constexpr uint32_t kNonSyncFlags = 0x01010000;

TEST(Fmp4Fragment, MuxesTwoTracksIntoOneMoofAndMdat) {
  auto v0 = bytes_of("IDR-frame");
  auto v1 = bytes_of("P");
  auto v2 = bytes_of("B-frame!");
  auto a0 = bytes_of("aac0");
  auto a1 = bytes_of("aac-1");
  const Sample video[] = {
      {v0, 3000, 6000, true}, {v1, 3000, 9000, false}, {v2, 3000, -3000, false}};
  const Sample audio[] = {{a0, 1024, 0, true}, {a1, 1024, 0, true}};
  const TrackRun runs[] = {{1, 900000, video}, {2, 480000, audio}};
  auto fragment = write_fragment(42, runs);

  auto top = boxes_in(fragment.span());
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].type, "moof");
  EXPECT_EQ(top[1].type, "mdat");
  EXPECT_EQ(top[0].size + top[1].size, fragment.size());
  EXPECT_EQ(mfhd_sequence(fragment.span()), 42u);
  std::string mdat(top[1].body.begin(), top[1].body.end());
  EXPECT_EQ(mdat, "IDR-framePB-frame!aac0aac-1");

  auto trafs = read_trafs(fragment.span());
  ASSERT_EQ(trafs.size(), 2u);
  const auto& v = trafs[0];
  EXPECT_EQ(v.track_id, 1u);
  EXPECT_EQ(v.tfhd_flags, 0x020000u);  // default-base-is-moof
  EXPECT_EQ(v.base_decode_time, 900000u);
  EXPECT_EQ(v.trun_flags, 0x000f01u);  // data offset, duration, size, flags, cts
  ASSERT_EQ(v.samples.size(), 3u);
  EXPECT_EQ(v.samples[0].size, v0.size());
  EXPECT_EQ(v.samples[0].flags, kSyncFlags);
  EXPECT_EQ(v.samples[1].flags, kNonSyncFlags);
  EXPECT_EQ(v.samples[1].cts, 9000);
  EXPECT_EQ(v.samples[2].cts, -3000);  // version 1: signed
  EXPECT_EQ(v.samples[2].duration, 3000u);
  // Data offsets are relative to the moof and land on each track's first sample.
  EXPECT_EQ(static_cast<size_t>(v.data_offset), top[0].size + 8);
  const auto& a = trafs[1];
  EXPECT_EQ(a.track_id, 2u);
  EXPECT_EQ(a.base_decode_time, 480000u);
  EXPECT_EQ(a.trun_flags, 0x000701u);  // no composition offsets
  ASSERT_EQ(a.samples.size(), 2u);
  EXPECT_EQ(a.samples[1].size, a1.size());
  EXPECT_EQ(a.samples[1].flags, kSyncFlags);
  EXPECT_EQ(std::string(fragment.text().substr(static_cast<size_t>(a.data_offset), 4)), "aac0");

  // trun is a FullBox of version 1.
  auto trun = find_path(fragment.span(), "moof/traf/trun");
  ASSERT_TRUE(trun);
  EXPECT_EQ(trun->body[0], 1);
  auto tfdt = find_path(fragment.span(), "moof/traf/tfdt");
  ASSERT_TRUE(tfdt);
  EXPECT_EQ(tfdt->body[0], 1);
}

TEST(Fmp4Fragment, SkipsEmptyRunsAndKeepsLargeDecodeTimes) {
  auto a0 = bytes_of("x");
  const Sample audio[] = {{a0, 1024, 0, true}};
  const TrackRun runs[] = {{1, 0, {}}, {2, uint64_t{1} << 40, audio}};
  auto fragment = write_fragment(1, runs);
  auto trafs = read_trafs(fragment.span());
  ASSERT_EQ(trafs.size(), 1u);
  EXPECT_EQ(trafs[0].track_id, 2u);
  EXPECT_EQ(trafs[0].base_decode_time, uint64_t{1} << 40);
  EXPECT_EQ(fragment.data()[trafs[0].data_offset], 'x');
}

TEST(Fmp4Fragment, CopiesALargePayloadIntoTheMdat) {
  std::vector<uint8_t> big(100000, 7);
  const Sample video[] = {{big, 3000, 0, true}};
  const TrackRun runs[] = {{1, 0, video}};
  auto fragment = write_fragment(1, runs);
  auto top = boxes_in(fragment.span());
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[1].size, big.size() + 8);
}

}  // namespace
}  // namespace vela::format::fmp4
