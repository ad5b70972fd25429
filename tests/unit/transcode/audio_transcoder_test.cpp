#include "transcode/audio_transcoder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "base/time.hpp"
#include "media/codec/aac.hpp"
#include "transcode/ffmpeg_handles.hpp"
#include "transcode/ffmpeg_log.hpp"

namespace vela::transcode {
namespace {

constexpr double kFrequency = 440;
constexpr double kAmplitude = 0.5;

struct EncodedInput {
  media::TrackInfo track;
  std::vector<media::FramePtr> frames;
  int64_t samples = 0;  // what the frames decode to (whole frames, priming included)
};

// `seconds` of a sine in every channel, encoded with FFmpeg's `encoder`; dts from `first_dts`.
EncodedInput encode_sine(const char* encoder_name, media::Codec codec, int rate, int channels, double seconds,
                         int64_t first_dts) {
  const AVCodec* codec_ptr = avcodec_find_encoder_by_name(encoder_name);
  EXPECT_NE(codec_ptr, nullptr) << encoder_name;
  if (!codec_ptr) return {};
  CodecContextPtr context(avcodec_alloc_context3(codec_ptr));
  context->sample_rate = rate;
  av_channel_layout_default(&context->ch_layout, channels);
  context->sample_fmt = codec == media::Codec::aac ? AV_SAMPLE_FMT_FLTP : AV_SAMPLE_FMT_FLT;
  context->bit_rate = 128'000;
  context->time_base = {1, rate};
  context->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  EXPECT_GE(avcodec_open2(context.get(), codec_ptr, nullptr), 0);
  EncodedInput input;
  base::Buffer config = base::Buffer::copy_of({context->extradata, static_cast<size_t>(context->extradata_size)});
  if (codec == media::Codec::aac) {
    input.track = *media::codec::make_aac_track(1, config);
  } else {
    input.track.id = 1;
    input.track.kind = media::MediaKind::audio;
    input.track.codec = media::Codec::opus;
    input.track.timescale = rate;
    input.track.codec_config = config;
    input.track.codec_string = "opus";
    input.track.sample_rate = static_cast<uint32_t>(rate);
    input.track.channels = static_cast<uint32_t>(channels);
  }
  AvPacketPtr packet(av_packet_alloc());
  auto drain = [&] {
    while (avcodec_receive_packet(context.get(), packet.get()) == 0) {
      auto frame = std::make_shared<media::MediaFrame>();
      frame->track_id = 1;
      frame->dts = first_dts + input.samples;
      frame->keyframe = true;
      frame->payload = base::Buffer::copy_of({packet->data, static_cast<size_t>(packet->size)});
      input.samples += context->frame_size;
      input.frames.push_back(std::move(frame));
      av_packet_unref(packet.get());
    }
  };
  const int total = static_cast<int>(seconds * rate);
  for (int start = 0; start < total; start += context->frame_size) {
    AvFramePtr frame(av_frame_alloc());
    frame->format = context->sample_fmt;
    frame->sample_rate = rate;
    frame->nb_samples = std::min(context->frame_size, total - start);
    av_channel_layout_copy(&frame->ch_layout, &context->ch_layout);
    EXPECT_GE(av_frame_get_buffer(frame.get(), 0), 0);
    auto* planes = reinterpret_cast<float**>(frame->extended_data);
    for (int i = 0; i < frame->nb_samples; ++i) {
      float v = static_cast<float>(kAmplitude * std::sin(2 * std::numbers::pi * kFrequency * (start + i) / rate));
      for (int c = 0; c < channels; ++c) {
        if (codec == media::Codec::aac) planes[c][i] = v;
        else planes[0][i * channels + c] = v;
      }
    }
    frame->pts = start;
    EXPECT_GE(avcodec_send_frame(context.get(), frame.get()), 0);
    drain();
  }
  avcodec_send_frame(context.get(), nullptr);
  drain();
  return input;
}

// The first channel of everything `frames` decode to (planar float from both native decoders).
std::vector<float> decode_first_channel(const media::TrackInfo& track, const std::vector<media::FramePtr>& frames) {
  const AVCodec* codec = avcodec_find_decoder(track.codec == media::Codec::aac ? AV_CODEC_ID_AAC : AV_CODEC_ID_OPUS);
  CodecContextPtr context(avcodec_alloc_context3(codec));
  context->extradata = static_cast<uint8_t*>(av_mallocz(track.codec_config.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  std::memcpy(context->extradata, track.codec_config.data(), track.codec_config.size());
  context->extradata_size = static_cast<int>(track.codec_config.size());
  context->sample_rate = static_cast<int>(track.sample_rate);
  context->pkt_timebase = {1, static_cast<int>(track.timescale)};
  av_channel_layout_default(&context->ch_layout, static_cast<int>(track.channels));
  EXPECT_GE(avcodec_open2(context.get(), codec, nullptr), 0);
  std::vector<float> samples;
  AvPacketPtr packet(av_packet_alloc());
  AvFramePtr decoded(av_frame_alloc());
  for (const auto& frame : frames) {
    av_new_packet(packet.get(), static_cast<int>(frame->payload.size()));
    std::memcpy(packet->data, frame->payload.data(), frame->payload.size());
    EXPECT_GE(avcodec_send_packet(context.get(), packet.get()), 0);
    av_packet_unref(packet.get());
    while (avcodec_receive_frame(context.get(), decoded.get()) == 0) {
      EXPECT_EQ(decoded->format, AV_SAMPLE_FMT_FLTP);
      auto* first = reinterpret_cast<const float*>(decoded->extended_data[0]);
      samples.insert(samples.end(), first, first + decoded->nb_samples);
      av_frame_unref(decoded.get());
    }
  }
  return samples;
}

struct Shape {
  double rms = 0;
  double crossings_per_second = 0;
};

// Over the middle of the signal (away from priming and the tail).
Shape shape_of(const std::vector<float>& samples, int rate) {
  size_t begin = static_cast<size_t>(rate / 5), end = samples.size() - static_cast<size_t>(rate / 5);
  Shape shape;
  double energy = 0;
  int crossings = 0;
  for (size_t i = begin; i < end; ++i) {
    energy += double{samples[i]} * samples[i];
    if (i > begin && (samples[i - 1] < 0) != (samples[i] < 0)) ++crossings;
  }
  shape.rms = std::sqrt(energy / static_cast<double>(end - begin));
  shape.crossings_per_second = crossings * static_cast<double>(rate) / static_cast<double>(end - begin);
  return shape;
}

std::vector<media::FramePtr> transcode_all(AudioTranscoder& transcoder, const std::vector<media::FramePtr>& in) {
  std::vector<media::FramePtr> out;
  for (const auto& frame : in) {
    auto produced = transcoder.push(*frame);
    EXPECT_TRUE(produced.ok()) << produced.error().message;
    if (produced.ok()) out.insert(out.end(), produced->begin(), produced->end());
  }
  auto tail = transcoder.flush();
  EXPECT_TRUE(tail.ok()) << tail.error().message;
  if (tail.ok()) out.insert(out.end(), tail->begin(), tail->end());
  return out;
}

// Checks timestamps, duration and the sine's shape of `out` against `input`.
void expect_faithful(const EncodedInput& input, const AudioTranscoder& transcoder,
                     const std::vector<media::FramePtr>& out, int64_t frame_size) {
  const auto& track = transcoder.output_track();
  ASSERT_GT(out.size(), 10u);
  EXPECT_EQ(out.front()->dts, base::rescale(input.frames.front()->pts(), input.track.timescale, track.timescale));
  for (size_t i = 1; i < out.size(); ++i) {
    EXPECT_EQ(out[i]->dts - out[i - 1]->dts, frame_size) << "frame " << i;
    EXPECT_EQ(out[i]->track_id, track.id);
  }
  // Played duration (priming dropped) within one frame of the input's, in the output timescale.
  int64_t input_duration = base::rescale(input.samples, input.track.timescale, track.timescale);
  int64_t output_duration = static_cast<int64_t>(out.size()) * frame_size - transcoder.encoder_delay();
  EXPECT_LE(std::llabs(output_duration - input_duration), frame_size)
      << "in " << input_duration << " out " << output_duration;

  auto decoded = decode_first_channel(track, out);
  // FFmpeg's Opus decoder drops the OpusHead pre-skip itself; AAC has nowhere to signal it.
  int64_t skipped = track.codec == media::Codec::opus ? transcoder.encoder_delay() : 0;
  EXPECT_EQ(static_cast<int64_t>(decoded.size()), static_cast<int64_t>(out.size()) * frame_size - skipped);
  Shape shape = shape_of(decoded, static_cast<int>(track.sample_rate));
  EXPECT_NEAR(shape.rms, kAmplitude / std::sqrt(2.0), 0.1);
  EXPECT_NEAR(shape.crossings_per_second, 2 * kFrequency, 0.03 * 2 * kFrequency);
}

TEST(AudioTranscoder, AacAt44kStereoToOpus) {
  keep_ffmpeg_logs_to_warnings();
  auto input = encode_sine("aac", media::Codec::aac, 44'100, 2, 1.5, 441'000);
  ASSERT_FALSE(input.frames.empty());
  auto transcoder = AudioTranscoder::open(input.track, {.target = media::Codec::opus, .track_id = 1001});
  ASSERT_TRUE(transcoder.ok()) << transcoder.error().message;
  const auto& track = transcoder->output_track();
  EXPECT_EQ(track.id, 1001u);
  EXPECT_EQ(track.codec, media::Codec::opus);
  EXPECT_EQ(track.codec_string, "opus");
  EXPECT_EQ(track.timescale, 48'000);
  EXPECT_EQ(track.sample_rate, 48'000u);
  EXPECT_EQ(track.channels, 2u);
  ASSERT_EQ(track.codec_config.size(), 19u);
  EXPECT_EQ(track.codec_config.text().substr(0, 8), "OpusHead");
  const uint8_t* head = track.codec_config.data();
  EXPECT_EQ(head[9], 2);                                      // channels
  EXPECT_EQ(head[10] | (head[11] << 8), transcoder->encoder_delay());  // pre-skip
  EXPECT_EQ(head[12] | (head[13] << 8) | (head[14] << 16), 44'100);   // input sample rate

  auto out = transcode_all(*transcoder, input.frames);
  expect_faithful(input, *transcoder, out, 960);
}

TEST(AudioTranscoder, AStreamThatEndsWithoutAFlushClosesItsEncoderQuietly) {
  std::vector<std::string> messages;
  FfmpegLogRouting routing(AV_LOG_WARNING, [&](const FfmpegLogLine& line) { messages.emplace_back(line.text); });
  auto input = encode_sine("aac", media::Codec::aac, 48'000, 2, 0.5, 441'000);
  {
    auto transcoder = AudioTranscoder::open(input.track, {.target = media::Codec::opus});
    ASSERT_TRUE(transcoder.ok()) << transcoder.error().message;
    for (size_t i = 0; i + 1 < input.frames.size(); ++i) ASSERT_TRUE(transcoder->push(*input.frames[i]).ok());
  }  // the stream ended: destroyed with samples still in the encoder
  for (const auto& message : messages) EXPECT_EQ(message.find("left in the queue"), std::string::npos) << message;
}

TEST(AudioTranscoder, OpusMonoToAacAt44k) {
  keep_ffmpeg_logs_to_warnings();
  auto input = encode_sine("libopus", media::Codec::opus, 48'000, 1, 1.5, 96'000);
  ASSERT_FALSE(input.frames.empty());
  auto transcoder = AudioTranscoder::open(
      input.track, {.target = media::Codec::aac, .track_id = 1002, .bitrate = 96'000, .aac_sample_rate = 44'100});
  ASSERT_TRUE(transcoder.ok()) << transcoder.error().message;
  const auto& track = transcoder->output_track();
  EXPECT_EQ(track.codec, media::Codec::aac);
  EXPECT_EQ(track.codec_string, "mp4a.40.2");
  EXPECT_EQ(track.timescale, 44'100);
  EXPECT_EQ(track.channels, 1u);
  auto config = media::codec::parse_audio_specific_config(track.codec_config.span());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->sample_rate, 44'100u);

  auto out = transcode_all(*transcoder, input.frames);
  expect_faithful(input, *transcoder, out, 1024);
}

TEST(AudioTranscoder, RefusesTracksItCannotDecode) {
  media::TrackInfo video;
  auto refused = AudioTranscoder::open(video, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("neither AAC nor Opus"), std::string::npos) << refused.error().message;

  media::TrackInfo bad_aac;
  bad_aac.kind = media::MediaKind::audio;
  bad_aac.codec = media::Codec::aac;
  bad_aac.timescale = 44'100;
  bad_aac.codec_config = base::Buffer::copy_of(std::string_view("\xff\xff\xff\xff", 4));
  auto bad = AudioTranscoder::open(bad_aac, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("decoder"), std::string::npos) << bad.error().message;
}

TEST(AudioTranscoder, GarbageAccessUnitIsAnErrorAndTheStreamGoesOn) {
  keep_ffmpeg_logs_to_warnings();
  auto input = encode_sine("aac", media::Codec::aac, 44'100, 2, 0.5, 0);
  auto transcoder = AudioTranscoder::open(input.track, {.target = media::Codec::opus});
  ASSERT_TRUE(transcoder.ok()) << transcoder.error().message;
  std::vector<uint8_t> garbage(300);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 37 + 11);
  media::MediaFrame bad;
  bad.payload = base::Buffer::adopt(std::move(garbage));
  auto refused = transcoder->push(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("audio transcoder: decoding"), std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(transcoder->push(media::MediaFrame{}).ok());  // empty

  auto out = transcode_all(*transcoder, input.frames);
  EXPECT_GE(out.size(), input.frames.size() * 1024 * 48'000 / 44'100 / 960 - 1);
}

}  // namespace
}  // namespace vela::transcode
