#include "ingest/rtmp_media_assembler.hpp"

#include "format/flv.hpp"
#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"

namespace vela::ingest {

namespace {

bool same_bytes(const base::Buffer& a, const base::Buffer& b) {
  auto x = a.span();
  auto y = b.span();
  return std::equal(x.begin(), x.end(), y.begin(), y.end());
}

const char* video_codec_name(format::FlvVideoCodec codec) {
  switch (codec) {
    case format::FlvVideoCodec::hevc: return "HEVC";
    case format::FlvVideoCodec::av1: return "AV1";
    case format::FlvVideoCodec::vp9: return "VP9";
    default: return "this";
  }
}

}  // namespace

void RtmpMediaAssembler::on_metadata(const format::Amf0Value& metadata) {
  // ffmpeg and OBS name their codecs here; encoders that omit a key simply promise nothing.
  expect_video_ = metadata.find("videocodecid") != nullptr;
  expect_audio_ = metadata.find("audiocodecid") != nullptr;
  metadata_video_bitrate_ = static_cast<uint32_t>(metadata.number_at("videodatarate") * 1000);
  metadata_audio_bitrate_ = static_cast<uint32_t>(metadata.number_at("audiodatarate") * 1000);
  metadata_frame_rate_ = metadata.number_at("framerate");
}

base::Status RtmpMediaAssembler::set_video_config(base::Buffer avcc) {
  if (video_ && same_bytes(video_->codec_config, avcc)) return {};
  auto track = media::codec::make_h264_track(kRtmpVideoTrackId, std::move(avcc));
  if (!track) return base::make_error("bad AVC sequence header: " + track.error().message);
  if (track->frame_rate <= 0) track->frame_rate = metadata_frame_rate_;
  track->bitrate = metadata_video_bitrate_;
  video_ = std::move(*track);
  normalizer_.add_track(kRtmpVideoTrackId, video_->timescale, 0);
  tracks_dirty_ = announced_;
  return {};
}

base::Status RtmpMediaAssembler::set_audio_config(base::Buffer asc) {
  if (audio_ && same_bytes(audio_->codec_config, asc)) return {};
  auto track = media::codec::make_aac_track(kRtmpAudioTrackId, std::move(asc));
  if (!track) return base::make_error("bad AAC sequence header: " + track.error().message);
  track->bitrate = metadata_audio_bitrate_;
  audio_ = std::move(*track);
  normalizer_.add_track(kRtmpAudioTrackId, audio_->timescale, media::codec::kAacSamplesPerFrame);
  tracks_dirty_ = announced_;
  return {};
}

bool RtmpMediaAssembler::expected_configs_present() const {
  return (!expect_video_ || video_) && (!expect_audio_ || audio_);
}

std::vector<media::TrackInfo> RtmpMediaAssembler::tracks() const {
  std::vector<media::TrackInfo> out;
  if (video_) out.push_back(*video_);
  if (audio_) out.push_back(*audio_);
  return out;
}

void RtmpMediaAssembler::announce(std::vector<AssembledOutput>& out) {
  announced_ = true;
  tracks_dirty_ = false;
  out.emplace_back(TracksAnnounced{tracks()});
  for (auto& frame : held_) out.emplace_back(std::move(frame));
  held_.clear();
}

std::vector<AssembledOutput> RtmpMediaAssembler::emit(media::FramePtr frame) {
  std::vector<AssembledOutput> out;
  if (tracks_dirty_) announce(out);
  if (announced_) {
    out.emplace_back(std::move(frame));
    return out;
  }
  held_.push_back(std::move(frame));
  if (expected_configs_present() || held_.size() >= kMaxHeldFrames) announce(out);
  return out;
}

base::Result<std::vector<AssembledOutput>> RtmpMediaAssembler::on_video(int64_t timestamp_ms,
                                                                       const base::Buffer& body,
                                                                       int64_t now_wall_us) {
  auto tag = format::parse_flv_video(body.span());
  if (!tag) return base::make_error("bad video message: " + tag.error().message);
  if (tag->frame_type == format::FlvFrameType::command) return std::vector<AssembledOutput>{};
  if (tag->codec != format::FlvVideoCodec::avc) {
    return base::make_error(std::string("unsupported video codec: ") + video_codec_name(tag->codec) +
                            " (Vela ingests H.264)");
  }
  base::Buffer payload = body.slice(tag->payload_offset, tag->payload.size());
  if (tag->packet_type == format::FlvPacketType::sequence_header) {
    if (auto status = set_video_config(std::move(payload)); !status) return status.error();
    std::vector<AssembledOutput> out;
    if (!announced_ && expected_configs_present() && !held_.empty()) announce(out);
    return out;
  }
  if (tag->packet_type != format::FlvPacketType::coded_frames || payload.empty()) {
    return std::vector<AssembledOutput>{};
  }
  if (!video_) return std::vector<AssembledOutput>{};  // frames before the decoder config cannot decode
  auto time = normalizer_.normalize(kRtmpVideoTrackId, timestamp_ms, tag->composition_time, now_wall_us);
  if (!time) return std::vector<AssembledOutput>{};
  auto frame = std::make_shared<media::MediaFrame>();
  frame->track_id = kRtmpVideoTrackId;
  frame->dts = time->dts;
  frame->cts = time->cts;
  frame->keyframe = tag->keyframe();
  frame->discontinuity = time->discontinuity;
  frame->payload = std::move(payload);
  frame->wall_clock_us = time->wall_clock_us;
  return emit(std::move(frame));
}

base::Result<std::vector<AssembledOutput>> RtmpMediaAssembler::on_audio(int64_t timestamp_ms,
                                                                       const base::Buffer& body,
                                                                       int64_t now_wall_us) {
  auto tag = format::parse_flv_audio(body.span());
  if (!tag) return base::make_error("bad audio message: " + tag.error().message);
  if (tag->codec != format::FlvAudioCodec::aac) {
    return base::make_error("unsupported audio codec (Vela ingests AAC)");
  }
  base::Buffer payload = body.slice(tag->payload_offset, tag->payload.size());
  if (tag->packet_type == format::FlvPacketType::sequence_header) {
    if (auto status = set_audio_config(std::move(payload)); !status) return status.error();
    std::vector<AssembledOutput> out;
    if (!announced_ && expected_configs_present() && !held_.empty()) announce(out);
    return out;
  }
  if (tag->packet_type != format::FlvPacketType::coded_frames || payload.empty() || !audio_) {
    return std::vector<AssembledOutput>{};
  }
  auto time = normalizer_.normalize(kRtmpAudioTrackId, timestamp_ms, 0, now_wall_us);
  if (!time) return std::vector<AssembledOutput>{};
  auto frame = std::make_shared<media::MediaFrame>();
  frame->track_id = kRtmpAudioTrackId;
  frame->dts = time->dts;
  frame->keyframe = true;
  frame->discontinuity = time->discontinuity;
  frame->payload = std::move(payload);
  frame->wall_clock_us = time->wall_clock_us;
  return emit(std::move(frame));
}

}  // namespace vela::ingest
