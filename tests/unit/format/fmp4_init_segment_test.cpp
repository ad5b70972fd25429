#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "format/fmp4/init_segment.hpp"
#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"
#include "unit/format/fmp4_test_util.hpp"

namespace vela::format::fmp4 {
namespace {

using test::boxes_in;
using test::child;
using test::find_path;
using test::u32_at;

// libx264 720p30 avcC and a 48 kHz stereo AAC-LC AudioSpecificConfig.
constexpr uint8_t kAvcc[] = {0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x1a, 0x67, 0x64, 0x00, 0x1f,
                             0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
                             0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x83, 0x19, 0x60, 0x01, 0x00,
                             0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x00};
constexpr uint8_t kAsc[] = {0x11, 0x90};

std::vector<media::TrackInfo> av_tracks() {
  auto video = media::codec::make_h264_track(1, base::Buffer::copy_of(kAvcc));
  auto audio = media::codec::make_aac_track(2, base::Buffer::copy_of(kAsc));
  EXPECT_TRUE(video && audio);
  return {*video, *audio};
}

std::string fourcc(std::span<const uint8_t> bytes, size_t offset) {
  return std::string(bytes.begin() + offset, bytes.begin() + offset + 4);
}

TEST(Fmp4InitSegment, TopLevelIsFtypThenMoov) {
  auto init = write_init_segment(av_tracks());
  auto top = boxes_in(init.span());
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].type, "ftyp");
  EXPECT_EQ(top[1].type, "moov");
  EXPECT_EQ(top[0].size + top[1].size, init.size());
  EXPECT_EQ(fourcc(top[0].body, 0), "iso6");
  std::vector<std::string> brands;
  for (size_t i = 8; i < top[0].body.size(); i += 4) brands.push_back(fourcc(top[0].body, i));
  EXPECT_EQ(brands, (std::vector<std::string>{"iso6", "cmfc", "isom"}));

  std::vector<std::string> moov_children;
  for (const auto& box : boxes_in(top[1].body)) moov_children.push_back(box.type);
  EXPECT_EQ(moov_children, (std::vector<std::string>{"mvhd", "trak", "trak", "mvex"}));
  auto mvhd = find_path(init.span(), "moov/mvhd");
  ASSERT_TRUE(mvhd);
  EXPECT_EQ(mvhd->size, 108u);
  EXPECT_EQ(u32_at(mvhd->body, 96), 3u);  // next_track_ID
}

TEST(Fmp4InitSegment, VideoTrackDescribesAvc) {
  auto init = write_init_segment(av_tracks());
  auto trak = find_path(init.span(), "moov/trak");
  ASSERT_TRUE(trak);
  auto tkhd = child(trak->body, "tkhd");
  ASSERT_TRUE(tkhd);
  EXPECT_EQ(tkhd->size, 92u);
  EXPECT_EQ(u32_at(tkhd->body, 12), 1u);           // track_ID
  EXPECT_EQ(u32_at(tkhd->body, 76), 1280u << 16);  // width, 16.16
  EXPECT_EQ(u32_at(tkhd->body, 80), 720u << 16);   // height
  auto mdhd = find_path(trak->body, "mdia/mdhd");
  ASSERT_TRUE(mdhd);
  EXPECT_EQ(u32_at(mdhd->body, 12), 90000u);  // timescale
  auto hdlr = find_path(trak->body, "mdia/hdlr");
  ASSERT_TRUE(hdlr);
  EXPECT_EQ(fourcc(hdlr->body, 8), "vide");
  EXPECT_TRUE(find_path(trak->body, "mdia/minf/vmhd"));
  auto dref = find_path(trak->body, "mdia/minf/dinf/dref");
  ASSERT_TRUE(dref);
  EXPECT_EQ(u32_at(dref->body, 4), 1u);
  EXPECT_TRUE(child(dref->body.subspan(8), "url "));

  auto stbl = find_path(trak->body, "mdia/minf/stbl");
  ASSERT_TRUE(stbl);
  std::vector<std::string> tables;
  for (const auto& box : boxes_in(stbl->body)) tables.push_back(box.type);
  EXPECT_EQ(tables, (std::vector<std::string>{"stsd", "stts", "stsc", "stco", "stsz"}));
  auto stsd = child(stbl->body, "stsd");
  EXPECT_EQ(u32_at(stsd->body, 4), 1u);  // entry_count
  auto avc1 = child(stsd->body.subspan(8), "avc1");
  ASSERT_TRUE(avc1);
  EXPECT_EQ(avc1->body[24] << 8 | avc1->body[25], 1280);
  EXPECT_EQ(avc1->body[26] << 8 | avc1->body[27], 720);
  auto avcc = child(avc1->body.subspan(78), "avcC");
  ASSERT_TRUE(avcc);
  EXPECT_TRUE(std::equal(avcc->body.begin(), avcc->body.end(), std::begin(kAvcc), std::end(kAvcc)));
}

TEST(Fmp4InitSegment, AudioTrackCarriesEsds) {
  auto init = write_init_segment(av_tracks());
  auto moov = find_path(init.span(), "moov");
  ASSERT_TRUE(moov);
  auto traks = boxes_in(moov->body);
  const auto& trak = traks[2];
  ASSERT_EQ(trak.type, "trak");
  EXPECT_EQ(u32_at(child(trak.body, "tkhd")->body, 12), 2u);
  EXPECT_EQ(u32_at(find_path(trak.body, "mdia/mdhd")->body, 12), 48000u);
  EXPECT_EQ(fourcc(find_path(trak.body, "mdia/hdlr")->body, 8), "soun");
  EXPECT_TRUE(find_path(trak.body, "mdia/minf/smhd"));
  auto stsd = find_path(trak.body, "mdia/minf/stbl/stsd");
  ASSERT_TRUE(stsd);
  auto mp4a = child(stsd->body.subspan(8), "mp4a");
  ASSERT_TRUE(mp4a);
  EXPECT_EQ(mp4a->body[16] << 8 | mp4a->body[17], 2);  // channelcount
  EXPECT_EQ(u32_at(mp4a->body, 24), 48000u << 16);     // samplerate, 16.16
  auto esds = child(mp4a->body.subspan(28), "esds");
  ASSERT_TRUE(esds);
  // ES_Descriptor(3) > DecoderConfigDescriptor(4: AAC, audio) > DecoderSpecificInfo(5: ASC),
  // then SLConfigDescriptor(6), all with one-byte sizes.
  const std::vector<uint8_t> want = {0,    0,    0,    0, 0x03, 25,   0,    0, 0,   0x04, 17,
                                     0x40, 0x15, 0,    0, 0,    0,    0,    0, 0,   0,    0,
                                     0,    0,    0x05, 2, 0x11, 0x90, 0x06, 1, 0x02};
  EXPECT_EQ(std::vector<uint8_t>(esds->body.begin(), esds->body.end()), want);

  auto mvex = find_path(init.span(), "moov/mvex");
  ASSERT_TRUE(mvex);
  auto trexes = boxes_in(mvex->body);
  ASSERT_EQ(trexes.size(), 2u);
  EXPECT_EQ(u32_at(trexes[0].body, 4), 1u);
  EXPECT_EQ(u32_at(trexes[1].body, 4), 2u);
  EXPECT_EQ(u32_at(trexes[1].body, 8), 1u);  // default_sample_description_index
}

TEST(Fmp4InitSegment, AudioOnly) {
  auto audio = media::codec::make_aac_track(1, base::Buffer::copy_of(kAsc));
  ASSERT_TRUE(audio);
  std::vector<media::TrackInfo> tracks = {*audio};
  auto init = write_init_segment(tracks);
  auto moov = find_path(init.span(), "moov");
  ASSERT_TRUE(moov);
  std::vector<std::string> children;
  for (const auto& box : boxes_in(moov->body)) children.push_back(box.type);
  EXPECT_EQ(children, (std::vector<std::string>{"mvhd", "trak", "mvex"}));
}

TEST(Fmp4InitSegment, LongDecoderConfigUsesMultiByteDescriptorSizes) {
  auto audio = media::codec::make_aac_track(1, base::Buffer::copy_of(kAsc));
  ASSERT_TRUE(audio);
  std::vector<uint8_t> long_asc(200, 0);
  long_asc[0] = 0x11;
  long_asc[1] = 0x90;
  audio->codec_config = base::Buffer::copy_of(long_asc);
  std::vector<media::TrackInfo> tracks = {*audio};
  auto init = write_init_segment(tracks);
  auto stsd = find_path(init.span(), "moov/trak/mdia/minf/stbl/stsd");
  ASSERT_TRUE(stsd);
  auto esds = child(child(stsd->body.subspan(8), "mp4a")->body.subspan(28), "esds");
  ASSERT_TRUE(esds);
  // ES payload 3 + (3 + 13 + (3 + 200)) + 3 = 225: two size bytes, 0x81 0x61.
  EXPECT_EQ(esds->body[4], 0x03);
  EXPECT_EQ(esds->body[5], 0x81);
  EXPECT_EQ(esds->body[6], 0x61);
  EXPECT_EQ(esds->size, 8u + 4 + 3 + 225);
}

}  // namespace
}  // namespace vela::format::fmp4
