#include "transcode/ffmpeg_log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace vela::transcode {
namespace {

struct Captured {
  int level;
  std::string stream, component, text;
  uint64_t suppressed;
};

class FfmpegLogTest : public ::testing::Test {
 protected:
  std::vector<Captured> lines_;
  FfmpegLogRouting routing_{AV_LOG_WARNING, [this](const FfmpegLogLine& line) {
                              lines_.push_back({line.av_level, std::string(line.stream), std::string(line.component),
                                                std::string(line.text), line.suppressed});
                            }};
};

TEST_F(FfmpegLogTest, MessagesCarryTheirStreamAndComponentAsOneLine) {
  av_log(nullptr, AV_LOG_ERROR, "outside any stream %d\n", 1);
  FfmpegLogSource cam("cam");
  {
    FfmpegLogScope scope(cam);
    const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
    AVCodecContext* context = avcodec_alloc_context3(codec);
    av_log(context, AV_LOG_WARNING, "damaged frame\n");
    avcodec_free_context(&context);
    FfmpegLogSource other("nested");
    {
      FfmpegLogScope inner(other);
      av_log(nullptr, AV_LOG_ERROR, "inner");
    }
    av_log(nullptr, AV_LOG_ERROR, "back to cam");
  }
  av_log(nullptr, AV_LOG_INFO, "below the level: not written");
  ASSERT_EQ(lines_.size(), 4u);
  EXPECT_EQ(lines_[0].stream, "-");
  EXPECT_EQ(lines_[0].text, "outside any stream 1");
  EXPECT_EQ(lines_[1].stream, "cam");
  EXPECT_EQ(lines_[1].component, "h264");
  EXPECT_EQ(lines_[1].text, "damaged frame");
  EXPECT_EQ(lines_[1].level, AV_LOG_WARNING);
  EXPECT_EQ(lines_[2].stream, "nested");
  EXPECT_EQ(lines_[3].stream, "cam");
}

TEST_F(FfmpegLogTest, AFloodFromOneStreamIsLimitedAndCountedWithoutSilencingOthers) {
  FfmpegLogSource flooding("flood");
  FfmpegLogSource quiet("quiet");
  {
    FfmpegLogScope scope(flooding);
    for (int i = 0; i < 1650; ++i) av_log(nullptr, AV_LOG_ERROR, "corrupt macroblock %d\n", i);
  }
  {
    FfmpegLogScope scope(quiet);
    av_log(nullptr, AV_LOG_ERROR, "one message\n");
  }
  size_t from_flood = 0;
  for (const auto& line : lines_) from_flood += line.stream == "flood";
  EXPECT_EQ(from_flood, 10u);
  EXPECT_EQ(lines_.back().stream, "quiet");
}

TEST(FfmpegLogSource, ReportsWhatWasHeldBackWithTheNextLine) {
  FfmpegLogSource source("s");
  uint64_t suppressed = 99;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(source.allow(0, suppressed));
  EXPECT_EQ(suppressed, 0u);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(source.allow(1'000'000, suppressed));
  ASSERT_TRUE(source.allow(10'000'000, suppressed));  // the next 10 s window
  EXPECT_EQ(suppressed, 5u);
}

}  // namespace
}  // namespace vela::transcode
