#include "transcode/audio_transcoder.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "base/time.hpp"
#include "media/codec/aac.hpp"
#include "transcode/ffmpeg_handles.hpp"

extern "C" {
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>
}

namespace vela::transcode {

namespace {

constexpr int kOpusSampleRate = 48'000;
constexpr char kWhat[] = "audio transcoder: ";

struct SwrDeleter {
  void operator()(SwrContext* context) const { swr_free(&context); }
};
struct FifoDeleter {
  void operator()(AVAudioFifo* fifo) const { av_audio_fifo_free(fifo); }
};
using SwrPtr = std::unique_ptr<SwrContext, SwrDeleter>;
using FifoPtr = std::unique_ptr<AVAudioFifo, FifoDeleter>;

base::Error fail(const std::string& what) { return base::make_error(kWhat + what); }
base::Error fail(const std::string& what, int code) { return fail(av_error_message(what, code)); }

// RFC 7845, 5.1: the identification header, channel mapping family 0 (mono or stereo).
base::Buffer opus_head(int channels, int pre_skip, uint32_t input_sample_rate) {
  std::vector<uint8_t> head = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, static_cast<uint8_t>(channels)};
  head.push_back(static_cast<uint8_t>(pre_skip & 0xFF));
  head.push_back(static_cast<uint8_t>((pre_skip >> 8) & 0xFF));
  for (int i = 0; i < 4; ++i) head.push_back(static_cast<uint8_t>(input_sample_rate >> (8 * i)));
  head.insert(head.end(), {0, 0, 0});  // output gain 0 dB, mapping family 0
  return base::Buffer::adopt(std::move(head));
}

base::Result<CodecContextPtr> open_decoder(const media::TrackInfo& input) {
  AVCodecID id = AV_CODEC_ID_NONE;
  if (input.kind == media::MediaKind::audio && input.codec == media::Codec::aac) id = AV_CODEC_ID_AAC;
  if (input.kind == media::MediaKind::audio && input.codec == media::Codec::opus) id = AV_CODEC_ID_OPUS;
  if (id == AV_CODEC_ID_NONE) {
    return fail("track " + std::to_string(input.id) + " is neither AAC nor Opus audio");
  }
  if (input.timescale <= 0) return fail("track " + std::to_string(input.id) + " has no timescale");
  const AVCodec* codec = avcodec_find_decoder(id);
  if (!codec) return fail(std::string("FFmpeg has no ") + avcodec_get_name(id) + " decoder");
  CodecContextPtr context(avcodec_alloc_context3(codec));
  if (!context) return fail("out of memory");
  const auto& config = input.codec_config;
  if (!config.empty()) {
    context->extradata = static_cast<uint8_t*>(av_mallocz(config.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    if (!context->extradata) return fail("out of memory");
    std::memcpy(context->extradata, config.data(), config.size());
    context->extradata_size = static_cast<int>(config.size());
  }
  context->pkt_timebase = {1, static_cast<int>(input.timescale)};
  if (input.sample_rate > 0) context->sample_rate = static_cast<int>(input.sample_rate);
  if (input.channels > 0) av_channel_layout_default(&context->ch_layout, static_cast<int>(input.channels));
  int rc = avcodec_open2(context.get(), codec, nullptr);
  if (rc < 0) return fail(std::string("opening the ") + codec->name + " decoder (bad codec config?)", rc);
  return context;
}

int pick_sample_rate(const AVCodec& codec, int wanted) {
  const int* rates = codec.supported_samplerates;
  if (!rates) return wanted;
  for (const int* r = rates; *r; ++r) {
    if (*r == wanted) return wanted;
  }
  return kOpusSampleRate;  // 48 kHz: both encoders have it
}

AVSampleFormat pick_sample_format(const AVCodec& codec) {
  const AVSampleFormat* formats = codec.sample_fmts;
  if (!formats) return AV_SAMPLE_FMT_FLTP;
  for (auto preferred : {AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_FLT}) {
    for (const AVSampleFormat* f = formats; *f != AV_SAMPLE_FMT_NONE; ++f) {
      if (*f == preferred) return preferred;
    }
  }
  return formats[0];
}

base::Result<CodecContextPtr> open_encoder(media::Codec target, int wanted_rate, int channels, uint32_t bitrate) {
  bool opus = target == media::Codec::opus;
  const char* name = opus ? "libopus" : "aac";
  const AVCodec* codec = avcodec_find_encoder_by_name(name);
  if (!codec) return fail(std::string("FFmpeg was built without the ") + name + " encoder");
  CodecContextPtr context(avcodec_alloc_context3(codec));
  if (!context) return fail("out of memory");
  context->sample_rate = opus ? kOpusSampleRate : pick_sample_rate(*codec, wanted_rate);
  av_channel_layout_default(&context->ch_layout, channels);
  context->sample_fmt = pick_sample_format(*codec);
  uint32_t fallback = opus ? (channels > 1 ? 96'000 : 64'000) : (channels > 1 ? 128'000 : 64'000);
  context->bit_rate = bitrate ? bitrate : fallback;
  context->time_base = {1, context->sample_rate};
  context->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // AAC: the AudioSpecificConfig in extradata
  if (opus) {
    int rc = av_opt_set(context->priv_data, "frame_duration", "20", 0);
    if (rc < 0) return fail("libopus: setting 20 ms frames", rc);
  } else {
    context->profile = FF_PROFILE_AAC_LOW;
  }
  int rc = avcodec_open2(context.get(), codec, nullptr);
  if (rc < 0) return fail(std::string("opening the ") + name + " encoder", rc);
  if (context->frame_size <= 0) return fail(std::string("the ") + name + " encoder has no frame size");
  return context;
}

bool same_input(const AVFrame& frame, int rate, AVSampleFormat format, const AVChannelLayout& layout) {
  return frame.sample_rate == rate && frame.format == format &&
         av_channel_layout_compare(&frame.ch_layout, &layout) == 0;
}

}  // namespace

struct AudioTranscoder::State {
  media::TrackInfo output;
  int64_t input_timescale = 0;
  CodecContextPtr decoder;
  CodecContextPtr encoder;
  AvPacketPtr in_packet{av_packet_alloc()};
  AvPacketPtr out_packet{av_packet_alloc()};
  AvFramePtr decoded{av_frame_alloc()};
  AvFramePtr converted{av_frame_alloc()};
  SwrPtr swr;  // set up from the first decoded frame (the decoder knows the real layout)
  int swr_rate = 0;
  AVSampleFormat swr_format = AV_SAMPLE_FMT_NONE;
  AVChannelLayout swr_layout{};
  FifoPtr fifo;
  bool anchored = false;
  int64_t first_dts = 0;            // output timescale
  int64_t first_wall_clock_us = 0;
  int64_t samples_fed = 0;          // samples handed to the encoder (their pts)
  int64_t samples_out = 0;          // samples in the frames emitted
  bool flushed = false;

  ~State() {
    // An encoder closed with frames still queued complains (libopus: "1 frames left in the
    // queue on closing"), as one never flushed does at every stream end: drain it quietly,
    // its output has no one to go to.
    if (encoder && !flushed && avcodec_send_frame(encoder.get(), nullptr) >= 0) {
      while (avcodec_receive_packet(encoder.get(), out_packet.get()) >= 0) av_packet_unref(out_packet.get());
    }
    av_channel_layout_uninit(&swr_layout);
  }

  base::Status resample(const AVFrame* in);
  base::Status setup_resampler(const AVFrame& in);
  base::Status encode_fifo(bool final, std::vector<media::FramePtr>& out);
  base::Status drain_encoder(std::vector<media::FramePtr>& out);
  base::Status decode(const AVPacket* packet, const media::MediaFrame* source, std::vector<media::FramePtr>& out);
};

base::Status AudioTranscoder::State::setup_resampler(const AVFrame& in) {
  if (swr && same_input(in, swr_rate, swr_format, swr_layout)) return {};
  if (swr) {
    auto drained = resample(nullptr);  // keep what the old resampler holds
    if (!drained.ok()) return drained;
  }
  av_channel_layout_uninit(&swr_layout);
  if (in.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || in.ch_layout.nb_channels <= 0) {
    av_channel_layout_default(&swr_layout, std::max(in.ch_layout.nb_channels, 1));
  } else if (int rc = av_channel_layout_copy(&swr_layout, &in.ch_layout); rc < 0) {
    return fail("copying the channel layout", rc);
  }
  swr_rate = in.sample_rate;
  swr_format = static_cast<AVSampleFormat>(in.format);
  SwrContext* raw = nullptr;
  int rc = swr_alloc_set_opts2(&raw, &encoder->ch_layout, encoder->sample_fmt, encoder->sample_rate, &swr_layout,
                               swr_format, swr_rate, 0, nullptr);
  swr.reset(raw);
  if (rc >= 0) rc = swr_init(swr.get());
  if (rc < 0) {
    swr.reset();
    return fail("setting up the resampler from " + std::to_string(swr_rate) + " Hz", rc);
  }
  return {};
}

// Converts `in` (null: what the resampler still holds) into the encoder's format and queues it.
base::Status AudioTranscoder::State::resample(const AVFrame* in) {
  if (!swr) return {};
  int capacity = swr_get_out_samples(swr.get(), in ? in->nb_samples : 0);
  if (capacity <= 0) return {};
  av_frame_unref(converted.get());
  converted->format = encoder->sample_fmt;
  converted->sample_rate = encoder->sample_rate;
  converted->nb_samples = capacity;
  int rc = av_channel_layout_copy(&converted->ch_layout, &encoder->ch_layout);
  if (rc >= 0) rc = av_frame_get_buffer(converted.get(), 0);
  if (rc < 0) return fail("allocating resampled audio", rc);
  int got = swr_convert(swr.get(), converted->data, capacity,
                        in ? const_cast<const uint8_t**>(in->extended_data) : nullptr, in ? in->nb_samples : 0);
  if (got < 0) return fail("resampling", got);
  if (got > 0 && av_audio_fifo_write(fifo.get(), reinterpret_cast<void**>(converted->data), got) < got) {
    return fail("queueing resampled audio: out of memory");
  }
  return {};
}

// Hands the queued samples to the encoder a frame at a time; `final` also sends the last
// partial frame (silence-padded when the encoder needs whole frames) and the end of stream.
base::Status AudioTranscoder::State::encode_fifo(bool final, std::vector<media::FramePtr>& out) {
  const int frame_size = encoder->frame_size;
  const bool small_last = encoder->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME;
  while (av_audio_fifo_size(fifo.get()) >= frame_size || (final && av_audio_fifo_size(fifo.get()) > 0)) {
    int n = std::min(av_audio_fifo_size(fifo.get()), frame_size);
    AvFramePtr frame(av_frame_alloc());
    if (!frame) return fail("out of memory");
    frame->format = encoder->sample_fmt;
    frame->sample_rate = encoder->sample_rate;
    frame->nb_samples = (n < frame_size && !small_last) ? frame_size : n;
    int rc = av_channel_layout_copy(&frame->ch_layout, &encoder->ch_layout);
    if (rc >= 0) rc = av_frame_get_buffer(frame.get(), 0);
    if (rc < 0) return fail("allocating an encoder frame", rc);
    if (frame->nb_samples > n) {
      av_samples_set_silence(frame->data, n, frame->nb_samples - n, encoder->ch_layout.nb_channels,
                             encoder->sample_fmt);
    }
    if (av_audio_fifo_read(fifo.get(), reinterpret_cast<void**>(frame->data), n) < n) {
      return fail("reading queued audio");
    }
    frame->pts = samples_fed;
    samples_fed += frame->nb_samples;
    rc = avcodec_send_frame(encoder.get(), frame.get());
    if (rc < 0) return fail("encoding", rc);
    auto drained = drain_encoder(out);
    if (!drained.ok()) return drained;
  }
  if (!final) return {};
  int rc = avcodec_send_frame(encoder.get(), nullptr);
  if (rc < 0 && rc != AVERROR_EOF) return fail("flushing the encoder", rc);
  return drain_encoder(out);
}

// Every packet decodes to one whole frame (960 / 1024 samples), so each output frame follows
// the previous one by frame_size ticks, whatever trimming the encoder notes in its durations.
base::Status AudioTranscoder::State::drain_encoder(std::vector<media::FramePtr>& out) {
  while (true) {
    int rc = avcodec_receive_packet(encoder.get(), out_packet.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return {};
    if (rc < 0) return fail("encoding", rc);
    auto frame = std::make_shared<media::MediaFrame>();
    frame->track_id = output.id;
    frame->dts = first_dts + samples_out;
    frame->keyframe = true;
    frame->payload = base::Buffer::copy_of({out_packet->data, static_cast<size_t>(out_packet->size)});
    if (first_wall_clock_us != 0) {
      frame->wall_clock_us = first_wall_clock_us + base::rescale(samples_out, output.timescale, base::kMicrosPerSecond);
    }
    samples_out += encoder->frame_size;
    av_packet_unref(out_packet.get());
    out.push_back(std::move(frame));
  }
}

base::Status AudioTranscoder::State::decode(const AVPacket* packet, const media::MediaFrame* source,
                                            std::vector<media::FramePtr>& out) {
  int rc = avcodec_send_packet(decoder.get(), packet);
  if (rc < 0 && rc != AVERROR_EOF) {
    std::string what = std::string("decoding ") + (source ? "the " : "") + decoder->codec->name;
    return fail(what + (source ? " access unit at dts " + std::to_string(source->dts) : " at end of stream"), rc);
  }
  while (true) {
    rc = avcodec_receive_frame(decoder.get(), decoded.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) break;
    if (rc < 0) return fail(std::string("decoding ") + decoder->codec->name, rc);
    if (!anchored && source) {
      anchored = true;
      first_dts = base::rescale(source->pts(), input_timescale, output.timescale);
      first_wall_clock_us = source->wall_clock_us;
    }
    auto status = setup_resampler(*decoded);
    if (status.ok()) status = resample(decoded.get());
    av_frame_unref(decoded.get());
    if (!status.ok()) return status;
  }
  return encode_fifo(false, out);
}

base::Result<AudioTranscoder> AudioTranscoder::open(const media::TrackInfo& input,
                                                    const AudioTranscodeOptions& options) {
  if (options.target != media::Codec::opus && options.target != media::Codec::aac) {
    return fail("the target codec must be Opus or AAC");
  }
  auto decoder = open_decoder(input);
  if (!decoder) return decoder.error();
  int channels = std::clamp(static_cast<int>(input.channels ? input.channels : 2), 1, 2);
  int wanted_rate = static_cast<int>(options.aac_sample_rate ? options.aac_sample_rate
                                     : input.sample_rate   ? input.sample_rate
                                                           : kOpusSampleRate);
  auto encoder = open_encoder(options.target, wanted_rate, channels, options.bitrate);
  if (!encoder) return encoder.error();

  auto state = std::make_unique<State>();
  state->input_timescale = input.timescale;
  state->decoder = std::move(*decoder);
  state->encoder = std::move(*encoder);
  AVCodecContext& enc = *state->encoder;
  state->fifo.reset(av_audio_fifo_alloc(enc.sample_fmt, channels, enc.frame_size * 2));
  if (!state->fifo || !state->in_packet || !state->out_packet || !state->decoded || !state->converted) {
    return fail("out of memory");
  }
  media::TrackInfo& out = state->output;
  if (options.target == media::Codec::opus) {
    out.kind = media::MediaKind::audio;
    out.codec = media::Codec::opus;
    out.timescale = kOpusSampleRate;
    out.codec_string = "opus";
    out.sample_rate = kOpusSampleRate;
    out.channels = static_cast<uint32_t>(channels);
    uint32_t input_rate = input.sample_rate ? input.sample_rate : kOpusSampleRate;
    out.codec_config = opus_head(channels, enc.initial_padding, input_rate);
  } else {
    if (!enc.extradata || enc.extradata_size <= 0) return fail("the AAC encoder wrote no AudioSpecificConfig");
    auto track = media::codec::make_aac_track(
        0, base::Buffer::copy_of({enc.extradata, static_cast<size_t>(enc.extradata_size)}));
    if (!track) return fail("the AAC encoder's AudioSpecificConfig: " + track.error().message);
    out = std::move(*track);
  }
  out.id = options.track_id;
  out.bitrate = static_cast<uint32_t>(enc.bit_rate);
  return AudioTranscoder(std::move(state));
}

AudioTranscoder::AudioTranscoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
AudioTranscoder::AudioTranscoder(AudioTranscoder&&) noexcept = default;
AudioTranscoder& AudioTranscoder::operator=(AudioTranscoder&&) noexcept = default;
AudioTranscoder::~AudioTranscoder() = default;

const media::TrackInfo& AudioTranscoder::output_track() const { return state_->output; }

int64_t AudioTranscoder::encoder_delay() const { return state_->encoder->initial_padding; }

base::Result<std::vector<media::FramePtr>> AudioTranscoder::push(const media::MediaFrame& frame) {
  if (state_->flushed) return fail("push after flush");
  if (frame.payload.empty()) return fail("empty access unit at dts " + std::to_string(frame.dts));
  AVPacket* packet = state_->in_packet.get();
  av_packet_unref(packet);
  int rc = av_new_packet(packet, static_cast<int>(frame.payload.size()));
  if (rc < 0) return fail("allocating a packet", rc);
  std::memcpy(packet->data, frame.payload.data(), frame.payload.size());
  packet->pts = packet->dts = frame.pts();
  std::vector<media::FramePtr> out;
  auto status = state_->decode(packet, &frame, out);
  av_packet_unref(packet);
  if (!status.ok()) return status.error();
  return out;
}

base::Result<std::vector<media::FramePtr>> AudioTranscoder::flush() {
  if (state_->flushed) return std::vector<media::FramePtr>{};
  state_->flushed = true;
  std::vector<media::FramePtr> out;
  auto status = state_->decode(nullptr, nullptr, out);
  if (status.ok()) status = state_->resample(nullptr);
  if (status.ok()) status = state_->encode_fifo(true, out);
  if (!status.ok()) return status.error();
  return out;
}

}  // namespace vela::transcode
