#include "ingest/ts_media_assembler.hpp"

#include <algorithm>
#include <string>

#include "base/byte_writer.hpp"
#include "format/mpegts/adts.hpp"
#include "format/mpegts/annex_b.hpp"
#include "format/mpegts/pes.hpp"
#include "format/scte35/splice_info.hpp"
#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"

namespace vela::ingest {

namespace mpegts = format::mpegts;

namespace {

// A composition offset beyond this is damage, not B-frame reordering.
constexpr int64_t kMaxCompositionOffset = 10 * 90'000;

bool same_bytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

const mpegts::ElementaryStream* first_stream(const mpegts::ProgramChanged& program,
                                             bool (*pred)(mpegts::StreamCodec)) {
  for (const auto& s : program.streams) {
    if (pred(s.codec)) return &s;
  }
  return nullptr;
}

}  // namespace

base::Result<std::vector<AssembledOutput>> TsMediaAssembler::feed(std::span<const uint8_t> bytes,
                                                                  int64_t now_wall_us) {
  if (error_) return *error_;
  auto events = demuxer_.feed(bytes);
  if (!events) {
    error_ = events.error();
    return *error_;
  }
  auto out = process(*events, now_wall_us);
  if (!out) return out;
  if (!demuxer_.program() && demuxer_.stats().packets > kMaxPacketsWithoutProgram) {
    error_ = base::make_error("no program (PAT/PMT) in the first " +
                              std::to_string(kMaxPacketsWithoutProgram) + " MPEG-TS packets");
    return *error_;
  }
  return out;
}

base::Result<std::vector<AssembledOutput>> TsMediaAssembler::finish(int64_t now_wall_us) {
  if (error_) return *error_;
  auto events = demuxer_.flush();
  auto out = process(events, now_wall_us);
  if (out && !announced_ && !held_.empty()) announce(*out);
  return out;
}

base::Result<std::vector<AssembledOutput>> TsMediaAssembler::process(
    std::vector<mpegts::DemuxEvent>& events, int64_t now_wall_us) {
  std::vector<AssembledOutput> out;
  for (auto& event : events) {
    if (auto* program = std::get_if<mpegts::ProgramChanged>(&event)) {
      if (auto status = on_program(*program); !status) {
        error_ = status.error();
        return *error_;
      }
    } else if (auto* pes = std::get_if<mpegts::PesPacket>(&event)) {
      if (video_ && pes->pid == video_->pid) {
        if (auto status = on_video(*pes, now_wall_us, out); !status) {
          error_ = status.error();
          return *error_;
        }
      } else if (audio_ && pes->pid == audio_->pid) {
        on_audio(*pes, now_wall_us, out);
        if (error_) return *error_;
      }
    } else if (auto* cue = std::get_if<mpegts::Cue>(&event)) {
      on_cue(*cue, now_wall_us);
    }
  }
  return out;
}

void TsMediaAssembler::on_cue(const mpegts::Cue& cue, int64_t now_wall_us) {
  ++stats_.cues;
  auto info = format::scte35::parse_splice_info(cue.section.span());
  if (!info) {
    ++stats_.bad_cues;
    return;
  }
  media::CueEvent event;
  event.command = std::string(format::scte35::command_name(info->command_type));
  event.received_wall_us = now_wall_us;
  event.section = cue.section;
  if (const auto& insert = info->splice_insert) {
    event.event_id = insert->event_id;
    event.cancel = insert->cancel;
    event.out_of_network = insert->out_of_network;
    if (insert->break_duration) event.duration = static_cast<int64_t>(*insert->break_duration);
  }
  if (!info->segmentations.empty()) {
    const auto& seg = info->segmentations.front();
    event.event_id = seg.event_id;
    event.cancel = seg.cancel;
    event.segmentation_type = seg.type_id;
    if (seg.duration) event.duration = static_cast<int64_t>(*seg.duration);
  }
  // The 33-bit splice time, taken as the nearest instant (either way) to the newest video
  // frame's source time and shifted like that frame was.
  if (auto pts = info->splice_pts(); pts && last_video_pts_) {
    constexpr int64_t kWrap = int64_t{1} << 33;
    auto [source_pts, stream_pts] = *last_video_pts_;
    int64_t delta = (static_cast<int64_t>(*pts) - (source_pts % kWrap) + kWrap) % kWrap;
    if (delta >= kWrap / 2) delta -= kWrap;
    event.pts = stream_pts + delta;
  }
  if (cues_.size() == kMaxPendingCues) cues_.erase(cues_.begin());
  cues_.push_back(std::move(event));
}

std::vector<media::CueEvent> TsMediaAssembler::take_cues() {
  std::vector<media::CueEvent> out;
  out.swap(cues_);
  return out;
}

base::Status TsMediaAssembler::on_program(const mpegts::ProgramChanged& program) {
  const auto* video = first_stream(program, mpegts::is_video);
  const auto* audio = first_stream(program, mpegts::is_audio);
  if (video && video->codec != mpegts::StreamCodec::h264) {
    return base::make_error(
        "unsupported video codec: " + std::string(mpegts::codec_name(video->codec)) +
        " (Vela ingests H.264)");
  }
  if (audio && audio->codec != mpegts::StreamCodec::aac_adts) {
    return base::make_error("unsupported audio codec: " +
                            std::string(mpegts::codec_name(audio->codec)) + " (Vela ingests AAC)");
  }
  if (!video && !audio) return base::make_error("no H.264 or AAC stream in the MPEG-TS program");
  // A stream on a new PID keeps its track (the same encoder renumbered) but restarts its
  // clock and parameter sets; a stream that went away takes its track with it.
  auto follow = [&](std::optional<TsStreamState>& state, const mpegts::ElementaryStream* stream) {
    if (!stream) {
      if (state && state->track) {
        tracks_dirty_ = announced_;
        uint32_t id = state->track->id;
        std::erase_if(held_, [id](const media::FramePtr& f) { return f->track_id == id; });
      }
      state.reset();
      return;
    }
    if (state && state->pid == stream->pid) return;
    std::optional<media::TrackInfo> track = state ? state->track : std::nullopt;
    state.emplace();
    state->pid = stream->pid;
    state->track = std::move(track);
  };
  bool video_moved = !video || !video_ || video_->pid != video->pid;
  follow(video_, video);
  follow(audio_, audio);
  if (video_moved) {
    sps_.clear();
    pps_.clear();
  }
  return {};
}

std::optional<std::pair<int64_t, int32_t>> TsMediaAssembler::unwrap(TsStreamState& stream,
                                                                    const mpegts::PesPacket& pes) {
  if (!pes.pts) {
    ++stats_.frames_without_timestamp;
    return std::nullopt;
  }
  uint64_t pts = *pes.pts;
  uint64_t dts = pes.dts.value_or(pts);
  if (pes.discontinuity) stream.clock = base::ClockUnwrapper(33);  // a new time base
  int64_t source_dts = stream.clock.unwrap(dts);
  // pts - dts modulo 2^33, as a signed 33-bit value.
  auto offset = static_cast<int64_t>((pts - dts) & mpegts::kTimestampMask);
  if (offset >= (int64_t{1} << 32)) offset -= int64_t{1} << 33;
  offset = std::clamp<int64_t>(offset, 0, kMaxCompositionOffset);
  return std::pair{source_dts, static_cast<int32_t>(offset)};
}

void TsMediaAssembler::update_video_config(std::vector<std::vector<uint8_t>> sps,
                                           std::vector<std::vector<uint8_t>> pps) {
  if (!sps.empty()) sps_ = std::move(sps);
  if (!pps.empty()) pps_ = std::move(pps);
  if (sps_.empty() || pps_.empty()) return;
  auto avcc = mpegts::build_avcc(sps_, pps_);
  if (!avcc) {
    ++stats_.bad_parameter_sets;
    return;
  }
  if (video_->track && same_bytes(video_->track->codec_config.span(), *avcc)) return;
  auto track =
      media::codec::make_h264_track(kTsVideoTrackId, base::Buffer::adopt(std::move(*avcc)));
  if (!track) {
    ++stats_.bad_parameter_sets;
    return;
  }
  video_->track = std::move(*track);
  normalizer_.add_track(kTsVideoTrackId, media::kVideoTimescale, 0);
  tracks_dirty_ = announced_;
}

base::Status TsMediaAssembler::on_video(const mpegts::PesPacket& pes, int64_t now_wall_us,
                                        std::vector<AssembledOutput>& out) {
  auto nals = mpegts::split_annex_b(pes.data.span());
  std::vector<std::vector<uint8_t>> sps, pps;
  size_t payload_size = 0;
  bool idr = false;
  auto add_unique = [](std::vector<std::vector<uint8_t>>& sets, std::span<const uint8_t> nal) {
    for (const auto& s : sets) {
      if (same_bytes(s, nal)) return;
    }
    sets.emplace_back(nal.begin(), nal.end());
  };
  for (auto nal : nals) {
    uint8_t type = media::codec::nal_type(nal[0]);
    if (type == media::codec::kNalSps)
      add_unique(sps, nal);
    else if (type == media::codec::kNalPps)
      add_unique(pps, nal);
    else if (type != media::codec::kNalAud) {
      payload_size += 4 + nal.size();
      idr |= type == media::codec::kNalIdr;
    }
  }
  if (!sps.empty() || !pps.empty()) update_video_config(std::move(sps), std::move(pps));
  if (payload_size == 0) return {};
  if (!video_->track) {
    ++stats_.frames_without_config;  // cannot decode before the parameter sets
    return {};
  }
  auto time = unwrap(*video_, pes);
  if (!time) return {};
  auto normalized = normalizer_.normalize_90khz(kTsVideoTrackId, time->first, time->second,
                                                now_wall_us, pes.discontinuity);
  if (!normalized) return {};
  // Annex B -> AVCC: each kept NAL unit behind a 4-byte length; AUD and parameter sets
  // (carried by the avcC) left out.
  std::vector<uint8_t> avcc_frame;
  avcc_frame.reserve(payload_size);
  base::ByteWriter w(avcc_frame);
  for (auto nal : nals) {
    uint8_t type = media::codec::nal_type(nal[0]);
    if (type == media::codec::kNalSps || type == media::codec::kNalPps ||
        type == media::codec::kNalAud)
      continue;
    w.u32be(static_cast<uint32_t>(nal.size()));
    w.bytes(nal);
  }
  auto frame = std::make_shared<media::MediaFrame>();
  frame->track_id = kTsVideoTrackId;
  frame->dts = normalized->dts;
  frame->cts = normalized->cts;
  frame->keyframe = idr;
  frame->discontinuity = normalized->discontinuity;
  frame->payload = base::Buffer::adopt(std::move(avcc_frame));
  frame->wall_clock_us = normalized->wall_clock_us;
  last_video_pts_ = {time->first + time->second, frame->pts()};
  emit(std::move(frame), out);
  return {};
}

base::Status TsMediaAssembler::set_audio_config(std::span<const uint8_t> asc) {
  if (audio_->track && same_bytes(audio_->track->codec_config.span(), asc)) return {};
  auto track = media::codec::make_aac_track(kTsAudioTrackId, base::Buffer::copy_of(asc));
  if (!track)
    return base::make_error("unsupported AAC configuration in ADTS: " + track.error().message);
  audio_->track = std::move(*track);
  normalizer_.add_track(kTsAudioTrackId, audio_->track->timescale,
                        media::codec::kAacSamplesPerFrame);
  tracks_dirty_ = announced_;
  return {};
}

// One PES may carry several ADTS frames; each is an access unit of 1024 samples, the
// first at the PES's PTS.
void TsMediaAssembler::on_audio(const mpegts::PesPacket& pes, int64_t now_wall_us,
                                std::vector<AssembledOutput>& out) {
  auto time = unwrap(*audio_, pes);
  if (!time) return;
  auto data = pes.data.span();
  size_t offset = 0;
  int64_t index = 0;
  while (offset < data.size()) {
    auto header = mpegts::parse_adts_header(data.subspan(offset));
    if (!header || header->frame_length > data.size() - offset) {
      ++stats_.adts_errors;
      return;
    }
    auto asc = mpegts::adts_audio_specific_config(*header);
    if (auto status = set_audio_config(asc); !status) {
      error_ = status.error();
      return;
    }
    base::Buffer payload =
        pes.data.slice(offset + header->header_size, header->frame_length - header->header_size);
    offset += header->frame_length;
    if (payload.empty()) continue;
    int64_t rate = audio_->track->sample_rate;
    int64_t source =
        time->first + base::rescale(index * media::codec::kAacSamplesPerFrame, rate, 90'000);
    auto normalized = normalizer_.normalize_90khz(kTsAudioTrackId, source, 0, now_wall_us,
                                                  pes.discontinuity && index == 0);
    ++index;
    if (!normalized) continue;
    auto frame = std::make_shared<media::MediaFrame>();
    frame->track_id = kTsAudioTrackId;
    frame->dts = normalized->dts;
    frame->keyframe = true;
    frame->discontinuity = normalized->discontinuity;
    frame->payload = std::move(payload);
    frame->wall_clock_us = normalized->wall_clock_us;
    emit(std::move(frame), out);
  }
}

bool TsMediaAssembler::expected_configs_present() const {
  return (!video_ || video_->track) && (!audio_ || audio_->track);
}

void TsMediaAssembler::announce(std::vector<AssembledOutput>& out) {
  announced_ = true;
  tracks_dirty_ = false;
  std::vector<media::TrackInfo> tracks;
  if (video_ && video_->track) tracks.push_back(*video_->track);
  if (audio_ && audio_->track) tracks.push_back(*audio_->track);
  out.emplace_back(TracksAnnounced{std::move(tracks)});
  for (auto& frame : held_) out.emplace_back(std::move(frame));
  held_.clear();
}

void TsMediaAssembler::emit(media::FramePtr frame, std::vector<AssembledOutput>& out) {
  if (tracks_dirty_) announce(out);
  if (announced_) {
    out.emplace_back(std::move(frame));
    return;
  }
  held_.push_back(std::move(frame));
  if (expected_configs_present() || held_.size() >= kMaxHeldFrames) announce(out);
}

}  // namespace vela::ingest
